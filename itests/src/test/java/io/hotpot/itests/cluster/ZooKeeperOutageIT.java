package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertCleanLoad;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;

/**
 * The ZooKeeper server stops and comes back: meanwhile every node keeps serving calls, locally and
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
        String leader = cluster.leader();
        ExecutorService clients = Executors.newCachedThreadPool();
        try {
            List<Future<String>> loads = new ArrayList<>();
            for (String f : cluster.followers()) {
                loads.add(clients.submit(() -> cluster.run(f, "kv:load --seconds 12 --threads 1 --prefix zk")));
                loads.add(clients.submit(() -> cluster.run(leader, "kv:load --seconds 12 --threads 1 --prefix zk-" + f
                        + " --remote " + f)));
            }
            Thread.sleep(2_000);
            cluster.zookeeper().stop();
            Thread.sleep(6_000);
            cluster.zookeeper().restart();
            for (Future<String> load : loads) {
                String report = load.get(2, TimeUnit.MINUTES);
                System.out.println("kv:load while ZooKeeper was down: " + report.trim());
                assertCleanLoad(report);
            }
        } finally {
            clients.shutdownNow();
        }
        long start = System.nanoTime();
        cluster.awaitReady();
        System.out.printf("cluster ready %d ms after ZooKeeper returned%n", (System.nanoTime() - start) / 1_000_000);
        String out = cluster.distribute(Fixtures.jar("kv-1.1.0.jar"));
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, KV, "1.1.0", sha);
        }
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.0", 2);
        }
    }
}
