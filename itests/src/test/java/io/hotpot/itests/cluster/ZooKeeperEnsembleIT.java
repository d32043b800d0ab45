package io.hotpot.itests.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingZooKeeperServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;

/**
 * Issue 9 item 6: three real ZooKeeper servers on 127.0.0.1 (a quorum), three nodes connected to
 * all of them. The quorum's leading server is killed while a rollout runs under load: the servers
 * that remain elect a new leader, every client moves to one of them within its session, the
 * rollout completes on every node, and no node's session expires.
 */
public class ZooKeeperEnsembleIT {

    private static RunningCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.startOnEnsemble("zookeeper-ensemble-it", 3, 3);
        cluster.installKv("kv-1.0.0.jar");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void killingTheLeadingServerDuringARolloutLosesNoSessionAndNoWrite() throws Exception {
        TestingCluster ensemble = cluster.ensemble();
        InstanceSpec leading = null;
        for (TestingZooKeeperServer server : ensemble.getServers()) {
            if (mode(server.getInstanceSpec().getPort()).contains("Mode: leader")) {
                leading = server.getInstanceSpec();
            }
        }
        assertNotNull("no leading ZooKeeper server", leading);
        // The leader pauses once the bytes are staged everywhere, before any node applies: the
        // server dies then, and the applies, their reports and the rollout's record go on through the failover.
        java.nio.file.Path faults = java.nio.file.Files.createDirectories(
                cluster.nodes().home(cluster.leader()).resolve("data/hotpot/faults"));
        java.nio.file.Files.writeString(faults.resolve("BEFORE_APPLY"), "3000");
        String out;
        try (Loads loads = new Loads(cluster, 15, 1, "ensemble")) {
            CompletableFuture<String> rollout = CompletableFuture.supplyAsync(
                    () -> cluster.distribute(Fixtures.jar("kv-1.1.0.jar")));
            org.awaitility.Awaitility.await("the rollout staged everywhere").atMost(RunningCluster.CONVERGE)
                    .pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> cluster.nodes().log(cluster.leader()).contains("pausing at BEFORE_APPLY"));
            ensemble.killServer(leading);
            java.nio.file.Files.delete(faults.resolve("BEFORE_APPLY"));
            out = rollout.get(3, TimeUnit.MINUTES);
            loads.assertClean("while the leading ZooKeeper server died during the rollout");
        }
        System.out.println(out);
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        cluster.assertConverged(KV, "1.1.0", sha, cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.0", 2);
        }
        for (String node : cluster.nodes().nodes()) {
            String log = cluster.nodes().log(node);
            assertFalse(node + "'s Curator session was lost", log.contains("State change: LOST"));
            assertFalse(node + "'s discovery session expired", log.contains("Connection to ZooKeeper expired"));
        }
    }

    /** @return the server's answer to ZooKeeper's {@code srvr} command (allowed by default), which names its mode */
    private static String mode(int port) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("srvr".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
