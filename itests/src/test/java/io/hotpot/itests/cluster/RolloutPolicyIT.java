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

    /**
     * Issue 13, rollout controls: {@code hot:pause}, given on any node, holds a rolling rollout at
     * its next batch boundary, with the record in ZooKeeper saying so, until {@code hot:resume};
     * the node already updated stays updated, no other node is touched meanwhile, and no call fails.
     */
    @Test
    public void test5_hotPauseHoldsARollingRolloutBetweenBatchesUntilHotResume() throws Exception {
        Path kv123 = variant("1.2.3");
        String out;
        String id;
        // test4 restarted a follower: the leader's remote client needs its KV store imported again first.
        cluster.awaitRemoteStores();
        try (Loads loads = new Loads(cluster, 20, 1, "pause");
             KarafConsole console = new KarafConsole(cluster.nodes().sshPort(cluster.leader()))) {
            java.util.concurrent.CompletableFuture<String> rollout = holdAtTheFirstBatchBoundary(console, kv123);
            id = cluster.runningRollouts().get(0);
            String paused = cluster.run(cluster.followers().get(1), "hot:pause " + id);
            assertTrue(paused, paused.contains(id) && paused.contains("paused"));
            await("the leader holds " + id).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes().log(cluster.leader()).contains("Hotpot: rollout " + id + " paused by an operator"));
            // Held, not merely slow: nothing moves for a while.
            Thread.sleep(3_000);
            java.util.Properties record = cluster.rollout(id);
            assertEquals(record.toString(), "RUNNING", record.getProperty("status"));
            assertTrue(record.toString(), record.getProperty("message").startsWith("PAUSED (hot:pause)"));
            assertEquals(record.toString(), 1, steps(record, "APPLIED"));
            assertFalse("the rollout went on while paused", rollout.isDone());
            String status = cluster.run(cluster.leader(), "hot:status " + KV);
            assertTrue(status, status.contains("IN PROGRESS: rollout " + id));
            try (KarafConsole other = new KarafConsole(cluster.nodes().sshPort(cluster.followers().get(0)))) {
                KarafConsole.Result watch = other.exec("hot:status --watch --timeout 2 " + KV);
                assertTrue(watch.toString(), watch.output().contains("not settled within --timeout 2 s")
                        && watch.output().contains("PAUSED"));
                assertTrue("a watch that times out fails: " + watch, watch.exit() != null && watch.exit() != 0);
            }

            assertTrue(cluster.run(cluster.leader(), "hot:resume " + id).contains("goes on"));
            out = rollout.get(2, java.util.concurrent.TimeUnit.MINUTES);
            loads.assertClean("on the followers while rollout " + id + " was paused and resumed");
        }
        assertOk(out);
        try (KarafConsole other = new KarafConsole(cluster.nodes().sshPort(cluster.followers().get(0)))) {
            KarafConsole.Result watch = other.exec("hot:status --watch --timeout 60");
            assertTrue(watch.toString(), watch.output().contains("SETTLED") && Integer.valueOf(0).equals(watch.exit()));
        }
        cluster.assertConverged(KV, "1.2.3", Fixtures.sha256(kv123), cluster.nodes().nodes());
        String again = cluster.run(cluster.leader(), "hot:pause " + id);
        assertTrue(again, again.contains("is COMPLETED already; there is nothing to pause"));
    }

    /**
     * Issue 13: {@code hot:abort} stops a rolling rollout at its next batch boundary and returns the
     * node it already updated to the previous version, with its state, as a failed gate does.
     */
    @Test
    public void test6_hotAbortReturnsTheNodesAlreadyUpdated() throws Exception {
        Path kv124 = variant("1.2.4");
        String out;
        cluster.awaitRemoteStores();
        try (Loads loads = new Loads(cluster, 20, 1, "abort");
             KarafConsole console = new KarafConsole(cluster.nodes().sshPort(cluster.leader()))) {
            java.util.concurrent.CompletableFuture<String> rollout = holdAtTheFirstBatchBoundary(console, kv124);
            String id = cluster.runningRollouts().get(0);
            KarafConsole.Result watched;
            try (KarafConsole other = new KarafConsole(cluster.nodes().sshPort(cluster.followers().get(0)))) {
                java.util.concurrent.CompletableFuture<KarafConsole.Result> watch = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> other.exec("hot:status --watch --timeout 120 " + KV));
                // Its first look, within the leader's 4 s hold, sees the rollout running.
                Thread.sleep(1_500);
                String aborted = cluster.run(cluster.followers().get(1), "hot:abort " + id);
                assertTrue(aborted, aborted.contains("aborted"));
                out = rollout.get(2, java.util.concurrent.TimeUnit.MINUTES);
                watched = watch.get(1, java.util.concurrent.TimeUnit.MINUTES);
            }
            loads.assertClean("on the followers while the rollout was aborted and returned");
            // Like kubectl rollout status: a watch of a rollout that ends halted fails.
            assertTrue(watched.toString(), watched.output().contains("rollout " + id) && watched.output()
                    .contains("ended ROLLED_BACK") && watched.exit() != null && watched.exit() != 0);
        }
        assertTrue(out, out.contains("ROLLED BACK: rollout") && out.contains("aborted by hot:abort before batch 2/3"));
        assertEquals(out, 1, ConsoleTable.parse(out).stream().filter(r -> "ROLLED_BACK".equals(r.get("Step"))).count());
        String sha123 = Fixtures.sha256(work().resolve("kv-1.2.3.jar"));
        cluster.assertConverged(KV, "1.2.3", sha123, cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.2.3", 2);
        }
    }

    /**
     * Issue 13: the hold lives in ZooKeeper, not in the leader. The leader of a paused rollout is
     * killed; the new leader takes the rollout over and holds it too, until {@code hot:resume} given
     * to it; then the rollout completes, and the old leader converges when it comes back.
     */
    @Test
    public void test7_aPausedRolloutStaysPausedWhenItsLeaderIsKilled() throws Exception {
        Path kv125 = variant("1.2.5");
        String oldLeader = cluster.leader();
        List<String> followers = cluster.followers();
        String id;
        try (KarafConsole console = new KarafConsole(cluster.nodes().sshPort(oldLeader))) {
            holdAtTheFirstBatchBoundary(console, kv125);
            id = cluster.runningRollouts().get(0);
            assertTrue(cluster.run(followers.get(1), "hot:pause " + id).contains("paused"));
            await(oldLeader + " holds " + id).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes().log(oldLeader).contains("Hotpot: rollout " + id + " paused by an operator"));
            cluster.nodes().kill(oldLeader);
        }
        java.util.concurrent.atomic.AtomicReference<String> newLeader = new java.util.concurrent.atomic.AtomicReference<>();
        await("a new leader").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Leader: (\\S+)")
                    .matcher(cluster.run(followers.get(0), "hot:nodes"));
            if (m.find() && followers.contains(m.group(1))) {
                newLeader.set(m.group(1));
                return true;
            }
            return false;
        });
        await(newLeader.get() + " takes the rollout over, held").atMost(RunningCluster.CONVERGE)
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    String log = cluster.nodes().log(newLeader.get());
                    return log.contains("takes over rollout " + id) && log.contains("Hotpot: rollout " + id
                            + " paused by an operator");
                });
        Thread.sleep(2_000);
        Properties record = cluster.rollout(id);
        assertEquals(record.toString(), "RUNNING", record.getProperty("status"));
        assertEquals(record.toString(), newLeader.get(), record.getProperty("leader"));
        // The new leader ran the rollout again from its start (staging), and holds it before its first batch.
        assertEquals(record.toString(), 0, steps(record, "APPLYING"));
        List<String> versions = followers.stream().map(f -> row(ConsoleTable.parse(cluster.run(f, "hot:status " + KV)),
                "Node", f).orElseThrow().get("Version")).sorted().toList();
        assertEquals("the follower of the first batch runs 1.2.5, the other was held", List.of("1.2.3", "1.2.5"), versions);

        assertTrue(cluster.run(newLeader.get(), "hot:resume " + id).contains("goes on"));
        await(id + " completes").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofMillis(500))
                .until(() -> "COMPLETED".equals(cluster.rollout(id).getProperty("status")));
        String sha = Fixtures.sha256(kv125);
        cluster.assertConverged(KV, "1.2.5", sha, followers);
        cluster.nodes().startNode(oldLeader);
        await(oldLeader + " converges after its restart").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> cluster.assertRuns(oldLeader, KV, "1.2.5", sha));
        cluster.refreshLeader();
    }

    /**
     * Starts a rolling rollout (batches of one) on the leader's console, and returns once the leader
     * sits at its first batch boundary, held there for 4 s by a fault point (only that boundary):
     * time for a control to land before the leader reads the controls.
     */
    private static java.util.concurrent.CompletableFuture<String> holdAtTheFirstBatchBoundary(KarafConsole console,
                                                                                            Path jar) throws Exception {
        String leader = cluster.leader();
        Path faults = Files.createDirectories(cluster.nodes().home(leader).resolve("data/hotpot/faults"));
        Files.writeString(faults.resolve("BETWEEN_BATCHES"), "4000");
        int before = occurrences(cluster.nodes().log(leader), "Hotpot fault injection: pausing at BETWEEN_BATCHES");
        java.util.concurrent.CompletableFuture<String> rollout = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> console.run("hot:distribute --policy rolling --batch 1 " + jar));
        try {
            await("the leader reaches its first batch boundary").atMost(RunningCluster.CONVERGE)
                    .pollInterval(Duration.ofMillis(100)).until(() -> occurrences(cluster.nodes().log(leader),
                            "Hotpot fault injection: pausing at BETWEEN_BATCHES") > before);
        } finally {
            Files.delete(faults.resolve("BETWEEN_BATCHES"));
        }
        return rollout;
    }

    private static Path variant(String version) throws Exception {
        return Fixtures.withManifest(Fixtures.jar("kv-1.2.0.jar"), work().resolve("kv-" + version + ".jar"), version, null);
    }

    private static Path work() throws Exception {
        return Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** @return how many nodes the rollout record in ZooKeeper shows at that step */
    private static long steps(java.util.Properties record, String step) {
        return record.stringPropertyNames().stream().filter(k -> k.startsWith("step.") && step.equals(record.getProperty(k)))
                .count();
    }
}
