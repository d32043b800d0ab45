package io.hotpot.itests.cluster;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertCleanLoad;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static io.hotpot.itests.cluster.RunningCluster.row;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * A follower on which the new version fails, in each way a bundle can fail, goes back to its old
 * version with its old state, while its clients keep calling without a single failed call; the
 * rollout halts and the nodes it updated return to the old version too.
 * Store 1.2.0's switches (PID io.hotpot.examples.kv.store) make its import or its activator throw
 * on one follower only.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class RollbackIT {

    private static RunningCluster cluster;
    private static String victim;
    private static String other;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("rollback-it", 3);
        cluster.installKv("kv-1.0.0.jar");
        assertOk(cluster.distribute(Fixtures.jar("kv-1.1.0.jar")));
        victim = cluster.followers().get(0);
        other = cluster.followers().get(1);
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @After
    public void backToOneDotOne() {
        cluster.run(victim, "config:delete io.hotpot.examples.kv.store");
        assertOk(cluster.distribute(Fixtures.jar("kv-1.1.0.jar")));
    }

    @Test
    public void test1_aMigrationThatThrowsRollsTheFollowerBack() throws Exception {
        cluster.run(victim, "config:property-set -p io.hotpot.examples.kv.store fail.import true");
        String out = distributeUnderLoad(Fixtures.jar("kv-1.2.0.jar"));
        assertRolledBack(out, "IMPORT", "fail.import=true");
    }

    @Test
    public void test2_anActivatorThatThrowsRollsTheFollowerBack() throws Exception {
        cluster.run(victim, "config:property-set -p io.hotpot.examples.kv.store fail.activate true");
        String out = distributeUnderLoad(Fixtures.jar("kv-1.2.0.jar"));
        assertRolledBack(out, "START", "fail.activate=true");
    }

    @Test
    public void test3_anUnresolvableImportIsRefusedBeforeTheFollowerIsTouched() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
        String pkg = "io.hotpot.itests.missing";
        // Only the leader gets an exporter of the package, so only the followers cannot resolve.
        Path exporter = Fixtures.exporter(work.resolve("rollback-exporter.jar"), "io.hotpot.itests.missing.exporter", pkg);
        cluster.run(cluster.leader(), "bundle:install -s " + exporter.toUri());
        Path kv = Fixtures.withManifest(Fixtures.jar("kv-1.2.0.jar"), work.resolve("kv-1.2.1.jar"), "1.2.1", pkg);
        String out = distributeUnderLoad(kv);
        Map<String, String> r = row(ConsoleTable.parse(out), "Node", victim).orElseThrow(() -> new AssertionError(out));
        assertEquals(out, "REJECTED", r.get("Outcome"));
        assertTrue(out, out.contains(victim + ": FAILED (REJECTED in phase RESOLVE)"));
        // Refused when the victim staged the bytes, before any node applied: nothing to roll back.
        assertTrue(out, out.contains("REFUSED: rollout"));
        cluster.assertKv(victim, "1.1.0", 2);
        cluster.assertKv(other, "1.1.0", 2);
    }

    @Test
    public void test4_aDowngradeCarriesTheStateBackToTheOldShape() {
        String out = cluster.distribute(Fixtures.jar("kv-1.0.0.jar"));
        assertOk(out);
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.0.0", 1);
        }
    }

    @Test
    public void test5_hotRollbackReturnsTheClusterToAKeptVersionWithItsState() {
        String refused = cluster.run(cluster.leader(), "hot:rollback " + KV + " 9.9.9");
        assertTrue(refused, refused.contains("kept no version 9.9.9 of " + KV));

        String out = cluster.run(cluster.leader(), "hot:rollback " + KV + " 1.0.0");
        assertOk(out);
        assertTrue(out, out.contains("of " + KV + "/1.0.0"));
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.0.0", 1);
        }
        String history = cluster.run(cluster.leader(), "hot:history " + KV);
        assertTrue(history, history.contains("ROLLBACK"));
    }

    /** Distributes while the victim's clients, local and remote, keep calling; asserts none failed. */
    private static String distributeUnderLoad(Path jar) throws Exception {
        ExecutorService clients = Executors.newCachedThreadPool();
        try {
            Future<String> local = clients.submit(() -> cluster.run(victim, "kv:load --seconds 12 --threads 2 --prefix local"));
            Thread.sleep(3_000);
            String out = cluster.distribute(jar);
            String report = local.get(2, TimeUnit.MINUTES);
            System.out.println(out + "\nkv:load on " + victim + ": " + report.trim());
            assertCleanLoad(report);
            return out;
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * The victim went back on its own; the rollout halted, and the nodes it had updated in the same
     * batch returned to 1.1.0 through the downgrade path, with their state.
     */
    private static void assertRolledBack(String out, String phase, String cause) {
        assertTrue(out, out.contains("ROLLED BACK: rollout"));
        Map<String, String> r = row(ConsoleTable.parse(out), "Node", victim).orElseThrow(() -> new AssertionError(out));
        assertEquals(out, "FAILED", r.get("Step"));
        assertEquals(out, "ROLLED_BACK", r.get("Outcome"));
        assertTrue(out, out.contains(victim + ": FAILED (ROLLED_BACK in phase " + phase + ")"));
        assertTrue(out, out.contains(cause));
        assertTrue(out, out.contains("rolled back to 1.1.0 with its state"));
        Map<String, String> o = row(ConsoleTable.parse(out), "Node", other).orElseThrow(() -> new AssertionError(out));
        assertEquals(out, "ROLLED_BACK", o.get("Step"));
        cluster.assertKv(victim, "1.1.0", 2);
        cluster.assertKv(other, "1.1.0", 2);
    }
}
