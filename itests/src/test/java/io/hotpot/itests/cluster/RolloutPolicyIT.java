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
import java.util.Map;
import java.util.Properties;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static io.hotpot.itests.cluster.RunningCluster.row;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Faults 5 and 6, and the canary's good path, on three nodes running store 1.1.0 with 1,000 entries
 * on each follower, while KV clients run on every follower (locally, and from the leader through
 * Aries RSA):
 * <ul>
 *   <li>a canary fails its health gate: the rollout halts, the canary returns to 1.1.0 with its
 *       state, and no other node is touched;</li>
 *   <li>a node fails in the middle of a rolling rollout: the node already updated returns to 1.1.0
 *       with its state, through the downgrade path, and the leader is never touched;</li>
 *   <li>a healthy canary: the rest of the cluster follows it.</li>
 * </ul>
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RolloutPolicyIT {

    private static final String SWITCHES = "io.hotpot.examples.kv.store";

    private static RunningCluster cluster;
    private static String sha11;
    private static String sha12;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("rollout-policy-it", 3);
        cluster.installKv("kv-1.1.0.jar");
        cluster.awaitRemoteStores();
        sha11 = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        sha12 = Fixtures.sha256(Fixtures.jar("kv-1.2.0.jar"));
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void test1_aCanaryThatFailsItsHealthGateHaltsTheRolloutAndNoOtherNodeIsTouched() throws Exception {
        List<String> all = cluster.nodes().nodes();
        all.forEach(n -> cluster.run(n, "config:property-set -p " + SWITCHES + " fail.health true"));
        String canary = cluster.followers().get(0);
        String out;
        long start = System.nanoTime();
        try (Loads loads = new Loads(cluster, 15, 1, "fault5")) {
            out = cluster.run(cluster.leader(), "hot:distribute --policy canary " + Fixtures.jar("kv-1.2.0.jar"));
            System.out.printf("fault 5: the cluster was back on 1.1.0 %d ms after the rollout began%n",
                    (System.nanoTime() - start) / 1_000_000);
            loads.assertClean("on the followers while the canary failed its gate");
        }
        assertTrue(out, out.contains("ROLLED BACK: rollout"));
        List<Map<String, String>> rows = ConsoleTable.parse(out);
        Map<String, String> c = row(rows, "Node", canary).orElseThrow(() -> new AssertionError(out));
        assertEquals(out, "FAILED", c.get("Step"));
        assertEquals(out, "ROLLED_BACK", c.get("Outcome"));
        assertTrue(out, out.contains("in phase HEALTH") && out.contains("fail.health=true"));
        for (String other : all) {
            if (!other.equals(canary)) {
                assertEquals(out, "SKIPPED", row(rows, "Node", other).orElseThrow().get("Step"));
                assertFalse(other + " was touched", cluster.nodes().log(other).contains("-> 1.2.0"));
            }
        }
        Properties rollout = cluster.rollout(RunningCluster.rolloutId(out));
        assertEquals("ROLLED_BACK", rollout.getProperty("status"));
        assertEquals("canary", rollout.getProperty("policy"));
        cluster.assertConverged(KV, "1.1.0", sha11, all);
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.0", 2);
        }
        all.forEach(n -> cluster.run(n, "config:property-delete -p " + SWITCHES + " fail.health"));
    }

    @Test
    public void test2_aNodeThatFailsMidRollingRolloutReturnsTheUpdatedNodesToThePreviousVersion() throws Exception {
        List<String> all = cluster.nodes().nodes();
        String first = cluster.followers().get(0);
        String failing = cluster.followers().get(1);
        cluster.run(failing, "config:property-set -p " + SWITCHES + " fail.import true");
        String out;
        long start = System.nanoTime();
        try (Loads loads = new Loads(cluster, 15, 1, "fault6")) {
            out = cluster.run(cluster.leader(), "hot:distribute --policy rolling --batch 1 " + Fixtures.jar("kv-1.2.0.jar"));
            System.out.printf("fault 6: the cluster was back on 1.1.0 %d ms after the rollout began%n",
                    (System.nanoTime() - start) / 1_000_000);
            loads.assertClean("on the followers while the rolling rollout failed and returned");
        }
        assertTrue(out, out.contains("ROLLED BACK: rollout"));
        List<Map<String, String>> rows = ConsoleTable.parse(out);
        assertEquals(out, "ROLLED_BACK", row(rows, "Node", first).orElseThrow().get("Step"));
        assertEquals(out, "FAILED", row(rows, "Node", failing).orElseThrow().get("Step"));
        assertEquals(out, "SKIPPED", row(rows, "Node", cluster.leader()).orElseThrow().get("Step"));
        assertTrue(cluster.nodes().log(first).contains("updated " + KV + " 1.1.0 -> 1.2.0"));
        assertTrue(cluster.nodes().log(first).contains("updated " + KV + " 1.2.0 -> 1.1.0"));
        assertEquals("ROLLED_BACK", cluster.rollout(RunningCluster.rolloutId(out)).getProperty("status"));
        cluster.assertConverged(KV, "1.1.0", sha11, all);
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.0", 2);
        }
        cluster.run(failing, "config:property-delete -p " + SWITCHES + " fail.import");
    }

    @Test
    public void test3_aHealthyCanaryIsFollowedByTheRestOfTheCluster() throws Exception {
        String out;
        try (Loads loads = new Loads(cluster, 10, 1, "canary-ok")) {
            out = cluster.run(cluster.leader(), "hot:distribute --policy canary " + Fixtures.jar("kv-1.2.0.jar"));
            loads.assertClean("on the followers during a good canary rollout");
        }
        assertOk(out);
        assertTrue(out, out.contains("(canary)"));
        cluster.assertConverged(KV, "1.2.0", sha12, cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.2.0", 2);
        }
        String history = cluster.run(cluster.leader(), "hot:history " + KV);
        List<Map<String, String>> rows = ConsoleTable.parse(history);
        assertEquals(history, "OK", rows.get(0).get("Result"));
        assertEquals(history, "1.1.0 -> 1.2.0", rows.get(0).get("Change"));
        assertEquals(history, "ROLLED_BACK", rows.get(1).get("Result"));
        assertEquals(history, "rolling:1", rows.get(1).get("Policy"));
        assertEquals(history, "ROLLED_BACK", rows.get(2).get("Result"));
    }

    /**
     * Issue 9 item 4: a version that kills the JVM of the node applying it. In a rolling rollout,
     * the node lost during its apply halts the rollout, the rest of the cluster is never touched,
     * and the node, restarted, recovers its old version and remembers on disk what failed there.
     */
    @Test
    public void test4_aNodeLostDuringItsApplyHaltsARollingRollout() throws Exception {
        List<String> all = cluster.nodes().nodes();
        String victim = cluster.followers().get(0);
        Path work = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
        Path kv122 = Fixtures.withManifest(Fixtures.jar("kv-1.2.0.jar"), work.resolve("kv-1.2.2.jar"), "1.2.2", null);
        Path faults = Files.createDirectories(cluster.nodes().home(victim).resolve("data/hotpot/faults"));
        Files.writeString(faults.resolve("AFTER_UPDATE"), "");

        java.util.concurrent.CompletableFuture<String> rollout = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> cluster.run(cluster.leader(), "hot:distribute --policy rolling --batch 1 " + kv122));
        await(victim + " pauses inside its swap").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.nodes().log(victim).contains("Hotpot fault injection: pausing at AFTER_UPDATE"));
        // As if 1.2.2 had called System.exit() inside its activator.
        cluster.nodes().kill(victim);
        Files.delete(faults.resolve("AFTER_UPDATE"));
        String out = rollout.get(3, java.util.concurrent.TimeUnit.MINUTES);

        assertTrue(out, out.contains("ROLLED BACK: rollout") && out.contains("was lost during its apply"));
        List<Map<String, String>> rows = ConsoleTable.parse(out);
        assertEquals(out, "FAILED", row(rows, "Node", victim).orElseThrow().get("Step"));
        for (String other : all) {
            if (!other.equals(victim)) {
                assertEquals(out, "SKIPPED", row(rows, "Node", other).orElseThrow().get("Step"));
            }
        }

        cluster.nodes().startNode(victim);
        await(victim + " recovers 1.2.0").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> cluster.assertRuns(victim, KV, "1.2.0", sha12));
        cluster.assertConverged(KV, "1.2.0", sha12, all);
        cluster.assertKv(victim, "1.2.0", 2);
        String failed = Files.readString(cluster.nodes().home(victim).resolve("data/hotpot/failed.properties"));
        assertTrue(failed, failed.contains("died." + KV + "=" + Fixtures.sha256(kv122) + " 1"));
    }
}
