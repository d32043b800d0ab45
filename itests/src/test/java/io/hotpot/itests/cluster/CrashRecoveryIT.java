package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.CONVERGE;
import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertTrue;

/**
 * Fault 2: kill -9 of a follower's Karaf at each phase of a swap (after export, after update, after
 * refresh, during import), while a KV client runs on the other follower. The rollout leaves the
 * dead node behind and completes on the others. After a restart the node first recovers the old
 * version with the old state, then converges to the version the cluster decided, with the state
 * migrated: every entry written before the swap, including the last acknowledged one, is there.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CrashRecoveryIT {

    private static RunningCluster cluster;
    private static String victim;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("crash-recovery-it", 3);
        cluster.installKv("kv-1.0.0.jar");
        victim = cluster.followers().get(0);
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void test1_killedAfterExport() throws Exception {
        crashAt("AFTER_EXPORT");
    }

    @Test
    public void test2_killedAfterUpdate() throws Exception {
        crashAt("AFTER_UPDATE");
    }

    @Test
    public void test3_killedAfterRefresh() throws Exception {
        crashAt("AFTER_REFRESH");
    }

    @Test
    public void test4_killedDuringImport() throws Exception {
        crashAt("DURING_IMPORT");
    }

    private static void crashAt(String point) throws Exception {
        // Every node on 1.0.0 first: the previous round left the others on 1.1.0.
        assertOk(cluster.distribute(Fixtures.jar("kv-1.0.0.jar")));
        cluster.assertKv(victim, "1.0.0", 1);
        cluster.run(victim, "kv:put acknowledged-" + point + " yes");
        Path faults = Files.createDirectories(cluster.nodes().home(victim).resolve("data/hotpot/faults"));
        Files.writeString(faults.resolve(point), "");

        int recoveriesBefore = recoveries();
        String other = cluster.followers().stream().filter(f -> !f.equals(victim)).findFirst().orElseThrow();
        try (Loads loads = new Loads(cluster, List.of(other), 20, 1, "fault2-" + point)) {
            CompletableFuture<String> rollout = CompletableFuture.supplyAsync(() -> cluster.distribute(Fixtures.jar("kv-1.1.0.jar")));
            await(victim + " pauses at " + point).atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes().log(victim).contains("Hotpot fault injection: pausing at " + point));
            cluster.nodes().kill(victim);
            long killedAt = System.nanoTime();
            Files.delete(faults.resolve(point));
            String out = rollout.get(3, TimeUnit.MINUTES);
            assertTrue(out, out.contains("INCOMPLETE: rollout"));
            assertTrue(out, out.contains(victim + ": UNREACHABLE"));

            cluster.nodes().startNode(victim);
            // First the old version with the old state (recovery), then the new one with the state
            // migrated (convergence to the desired state): never a state in between.
            await(victim + " recovered").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                    .until(() -> recoveries() == recoveriesBefore + 1);
            await(victim + " converged").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> cluster.assertKv(victim, "1.1.0", 2));
            System.out.printf("fault 2 (%s): %s converged %d ms after the kill%n", point, victim,
                    (System.nanoTime() - killedAt) / 1_000_000);
            String acknowledged = cluster.run(victim, "kv:get acknowledged-" + point);
            assertTrue(acknowledged, acknowledged.contains("value=yes"));
            cluster.assertConverged(KV, "1.1.0", Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar")), cluster.nodes().nodes());
            loads.assertClean("on " + other + " while " + victim + " crashed at " + point);
        }
        cluster.awaitReady();
    }

    private static int recoveries() throws java.io.IOException {
        String log = cluster.nodes().log(victim);
        String marker = "recovered io.hotpot.examples.kv.store 1.0.0 with its state";
        return (log.length() - log.replace(marker, "").length()) / marker.length();
    }
}
