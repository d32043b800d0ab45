package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;


import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;

/**
 * Fault 4: the ZooKeeper server stops and comes back: meanwhile every node keeps serving calls, locally and
 * through RSA; afterwards the cluster reconnects and a new rollout succeeds everywhere.
 */
public class ZooKeeperOutageIT {

    private static RunningCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("zookeeper-outage-it", 3);
        cluster.installKv("kv-1.0.0.jar");
        cluster.awaitRemoteStores();
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void nodesServeWhileZooKeeperIsDownAndRollOutAfterItReturns() throws Exception {
        try (Loads loads = new Loads(cluster, 12, 1, "zk")) {
            Thread.sleep(2_000);
            cluster.zookeeper().stop();
            Thread.sleep(6_000);
            cluster.zookeeper().restart();
            loads.assertClean("while ZooKeeper was down");
        }
        long start = System.nanoTime();
        cluster.awaitReady();
        System.out.printf("fault 4: cluster ready %d ms after ZooKeeper returned%n", (System.nanoTime() - start) / 1_000_000);
        String out;
        try (Loads loads = new Loads(cluster, 10, 1, "zk-after")) {
            out = cluster.distribute(Fixtures.jar("kv-1.1.0.jar"));
            loads.assertClean("during the rollout after ZooKeeper returned");
        }
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, KV, "1.1.0", sha);
        }
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.0", 2);
        }
        cluster.assertConverged(KV, "1.1.0", sha, cluster.nodes().nodes());
    }
}
