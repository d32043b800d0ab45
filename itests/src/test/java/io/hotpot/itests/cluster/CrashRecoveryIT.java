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
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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

    /**
     * Issue 9 item 5: an activation that fails after the node's gates and its Curator client started
     * (here the replay guard refusing a damaged record, by design) closes what it opened, in reverse
     * order: no proxy, no service hook of Hotpot's, no Curator or Hotpot thread stays. Before that,
     * the hooks, the proxies and the client stayed alive, and the next activation added a second
     * set of gates. Once the record is repaired, the next activation (the component disabled and
     * enabled again, in the same framework) starts one set again.
     */
    @Test
    public void test5_aFailedActivationClosesWhatItOpened() throws Exception {
        String kvApi = "io.hotpot.examples.kv.KeyValueStore";
        // Where the tests before leave the cluster, also when this one runs alone.
        assertOk(cluster.distribute(Fixtures.jar("kv-1.1.0.jar")));
        cluster.assertKv(victim, "1.1.0", 2);
        List<Long> proxies = cluster.gatedServiceIds(victim, kvApi);
        assertFalse(victim + " has no proxy of " + kvApi, proxies.isEmpty());
        int hooks = hotpotHooks(cluster.leader());
        assertEquals(cluster.leader() + " registers its service hooks once", 1, hooks);
        Path record = cluster.nodes().home(victim).resolve("data/hotpot/security/accepted.properties");
        byte[] good = Files.readAllBytes(record);
        String failed = "Hotpot: node activation failed; closing what it opened";
        int failures = count(cluster.nodes().log(victim), failed);
        cluster.nodes().stop(victim);
        try {
            Files.writeString(record, "io.hotpot.examples.kv.store=not-a-record\n");
            cluster.nodes().startNodeConsoleOnly(victim);
            await(victim + " refuses to activate on a damaged replay record").atMost(CONVERGE)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> count(cluster.nodes().log(victim), failed) > failures);
            assertTrue(cluster.nodes().log(victim), cluster.nodes().log(victim).contains("cannot read the replay guard's record"));
            assertTrue("Karaf lists the runtime as Waiting", cluster.run(victim, "bundle:list -s")
                    .matches("(?s).*\\| Waiting +\\|.*\\| io\\.hotpot\\.runtime\\s.*"));
            await("nothing of the failed activation left on " + victim).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        assertEquals("proxies", List.of(), cluster.gatedServiceIds(victim, kvApi));
                        assertEquals("Hotpot's service hooks", 0, hotpotHooks(victim));
                        assertEquals("threads", List.of(), nodeThreads(victim));
                    });
        } finally {
            Files.write(record, good);
        }
        int starts = count(cluster.nodes().log(victim), "Hotpot: node " + victim + " started");
        // SCR does not try a failed component again by itself: disabled and enabled, in the same framework.
        cluster.run(victim, "scr:disable io.hotpot.runtime.HotpotNode");
        cluster.run(victim, "scr:enable io.hotpot.runtime.HotpotNode");
        await(victim + " activates on its repaired record").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> count(cluster.nodes().log(victim), "Hotpot: node " + victim + " started") > starts);
        cluster.awaitReady();
        assertEquals("one set of service hooks on " + victim, hooks, hotpotHooks(victim));
        assertEquals("one proxy per store service on " + victim, proxies.size(), cluster.gatedServiceIds(victim, kvApi).size());
        cluster.assertKv(victim, "1.1.0", 2);
    }

    /** @return how many FindHook services Hotpot's runtime bundle registers on the node */
    private static int hotpotHooks(String node) {
        String out = cluster.run(node, "service:list org.osgi.framework.hooks.service.FindHook");
        int n = 0;
        for (String block : out.split("\\R\\s*\\R")) {
            if (block.contains("Provided by :") && block.substring(block.indexOf("Provided by :")).lines().skip(1)
                    .findFirst().orElse("").contains("Hotpot :: Runtime")) {
                n++;
            }
        }
        return n;
    }

    /** The thread of {@code CredentialsWatch}, which polls the credentials file for NodeSecurityProvider. */
    private static final String CREDENTIALS_WATCH = "hotpot-credentials-watch";

    /** @return the names of the node's threads that a Hotpot node's parts start (its Curator client's included) */
    private static List<String> nodeThreads(String node) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(cluster.nodes().pid(node)), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("jcmd did not end", jcmd.waitFor(30, TimeUnit.SECONDS));
        assertTrue(dump, dump.contains("Full thread dump"));
        // hotpot-credentials-watch belongs to NodeSecurityProvider, a component of its own that stays active
        // when the node's activation fails: it is what registers the node's credentials again.
        return dump.lines().filter(l -> l.startsWith("\""))
                .map(l -> l.substring(1, l.indexOf('"', 1)))
                .filter(t -> t.startsWith("Curator-") || t.startsWith("hotpot-") && !t.equals(CREDENTIALS_WATCH))
                .sorted().toList();
    }

    private static int count(String text, String marker) {
        return text.split(java.util.regex.Pattern.quote(marker), -1).length - 1;
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
