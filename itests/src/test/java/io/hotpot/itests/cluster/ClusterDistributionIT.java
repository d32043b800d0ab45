package io.hotpot.itests.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * End to end on a real cluster: three Karaf processes of the built distribution, a real ZooKeeper
 * server on 127.0.0.1 (Curator's TestingServer), and real remote calls through Aries RSA.
 *
 * <p>The steps share one cluster, in order, as an operator would drive it; each step asserts, on
 * every node and through that node's own console, the version, the state, the full SHA-256 and,
 * for the KV store, every entry and its shape.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ClusterDistributionIT {

    private static final String KV = "io.hotpot.examples.kv.store";
    private static final String LANG3 = "org.apache.commons.lang3";
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    private static TestingServer zookeeper;
    private static LocalCluster cluster;
    private static String leader;
    private static List<String> followers;

    @BeforeClass
    public static void startCluster() throws Exception {
        zookeeper = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        Path dir = Path.of(System.getProperty("hotpot.work"), "distribution-it");
        cluster = LocalCluster.start(3, dir, zookeeper.getConnectString());
        await("a leader and three reachable nodes").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String out = cluster.run("node1", "hot:nodes");
            Matcher m = Pattern.compile("Leader: (\\S+)").matcher(out);
            List<Map<String, String>> rows = ConsoleTable.parse(out);
            if (!m.find() || m.group(1).startsWith("none") || rows.size() != 3) {
                return false;
            }
            leader = m.group(1);
            // Every node must also see the others' endpoints, or a rollout would skip them.
            return cluster.nodes().stream().allMatch(n -> ConsoleTable.parse(cluster.run(n, "hot:nodes")).stream()
                    .allMatch(r -> "-".equals(r.get("Problem"))));
        });
        followers = cluster.nodes().stream().filter(n -> !n.equals(leader)).toList();
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (zookeeper != null) {
                zookeeper.close();
            }
        }
    }

    @Test
    public void step1_distributeInstallsTheKvStoreOnEveryNode() throws Exception {
        assertOk(cluster.run(leader, "hot:distribute " + Fixtures.jar("kv-api.jar")));
        String out = cluster.run(leader, "hot:distribute " + Fixtures.jar("kv-1.0.0.jar"));
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.0.0.jar"));
        for (String node : cluster.nodes()) {
            assertRuns(node, KV, "1.0.0", sha);
            assertTrue(cluster.run(node, "kv:fill --count 1000"), cluster.run(node, "kv:check --count 1000")
                    .contains("checked=1000 present=1000 wrong=0 missing=0 schema=1 inShape=1000"));
        }
    }

    @Test
    public void step2_aJarDroppedIntoTheLeadersDeployFolderReachesEveryFollowerWithItsState() throws Exception {
        Path jar = Fixtures.jar("kv-1.1.0.jar");
        String sha = Fixtures.sha256(jar);
        Files.copy(jar, cluster.home(leader).resolve("deploy/kv-store.jar"), StandardCopyOption.REPLACE_EXISTING);
        for (String node : cluster.nodes()) {
            await(node + " runs kv 1.1.0").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertRuns(node, KV, "1.1.0", sha));
            String check = cluster.run(node, "kv:check --count 1000");
            assertTrue(node + ": " + check, check.contains("checked=1000 present=1000 wrong=0 missing=0 schema=2 inShape=1000"));
        }
    }

    @Test
    public void step3_hotDistributeUpgradesAThirdPartyBundleOnEveryNode() throws Exception {
        assertOk(cluster.run(leader, "hot:distribute " + Fixtures.jar("commons-lang3-3.12.0.jar")));
        String old = Fixtures.sha256(Fixtures.jar("commons-lang3-3.12.0.jar"));
        for (String node : cluster.nodes()) {
            assertRuns(node, LANG3, "3.12.0", old);
        }
        String out = cluster.run(leader, "hot:distribute " + Fixtures.jar("commons-lang3-3.14.0.jar"));
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("commons-lang3-3.14.0.jar"));
        for (String node : cluster.nodes()) {
            assertRuns(node, LANG3, "3.14.0", sha);
        }
        for (Map<String, String> row : ConsoleTable.parse(out)) {
            assertEquals(out, "3.12.0", row.get("Previous"));
            assertEquals(out, "UPDATED", row.get("Outcome"));
        }
    }

    @Test
    public void step4_aCorruptJarInDeployIsRejectedNamingTheFileAndTheNode() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.jar("kv-1.1.0.jar"));
        Path broken = cluster.home(leader).resolve("deploy/broken.jar");
        Files.write(broken, Arrays.copyOf(bytes, bytes.length / 2));
        await("the leader's log names the corrupt file").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.log(leader).contains("rejected " + broken + " on node " + leader));
        assertKvUntouched("1.1.0", 2);
    }

    @Test
    public void step5_aJarThatIsNotABundleIsRejected() throws Exception {
        Path plain = Fixtures.plainJar(cluster.home(leader).resolve("deploy/plain-library.jar"));
        await("the leader's log names the non-bundle").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.log(leader).contains("rejected " + plain + " on node " + leader
                        + ": not an OSGi bundle"));
        assertKvUntouched("1.1.0", 2);
    }

    @Test
    public void step6_aBundleThatCannotResolveOnFollowersRollsThemBackWithTheirState() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
        String pkg = "io.hotpot.itests.leaderonly";
        Path exporter = Fixtures.exporter(work.resolve("leader-only.jar"), "io.hotpot.itests.leaderonly", pkg);
        // Installed on the leader only, outside Hotpot: the followers lack the package.
        cluster.run(leader, "bundle:install -s " + exporter.toUri());
        Path kv111 = Fixtures.withManifest(Fixtures.jar("kv-1.1.0.jar"), work.resolve("kv-1.1.1.jar"), "1.1.1", pkg);

        String out = cluster.run(leader, "hot:distribute " + kv111);

        assertTrue(out, out.contains("FAILED: rollout"));
        for (String follower : followers) {
            Map<String, String> row = row(ConsoleTable.parse(out), "Node", follower).orElseThrow(() -> new AssertionError(out));
            assertEquals(out, "ROLLED_BACK", row.get("Outcome"));
            assertTrue(out, out.contains(follower + ": ROLLED_BACK in phase RESOLVE: " + KV + "/1.1.1 failed in phase RESOLVE on "
                    + follower));
            assertTrue(out, out.contains(pkg));
        }
        assertRuns(leader, KV, "1.1.1", Fixtures.sha256(kv111));
        assertKvUntouched("1.1.0", 2);
    }

    /** Every follower still runs the given KV version, ACTIVE, with all 1,000 entries in that version's shape. */
    private static void assertKvUntouched(String version, int schema) throws Exception {
        for (String node : followers) {
            String status = cluster.run(node, "hot:status -d " + KV);
            Map<String, String> row = row(ConsoleTable.parse(status), "Node", node).orElseThrow(() -> new AssertionError(status));
            assertEquals(node + "\n" + status, version, row.get("Version"));
            assertEquals(node + "\n" + status, "ACTIVE", row.get("State"));
            String check = cluster.run(node, "kv:check --count 1000");
            assertTrue(node + ": " + check, check.contains("present=1000 wrong=0 missing=0 schema=" + schema + " inShape=1000"));
        }
    }

    /** The node's own console reports the bundle ACTIVE at that version with exactly those bytes. */
    private static void assertRuns(String node, String bsn, String version, String sha256) {
        String status = cluster.run(node, "hot:status -d " + bsn);
        Map<String, String> row = row(ConsoleTable.parse(status), "Node", node)
                .orElseThrow(() -> new AssertionError(node + " has no row for " + bsn + ":\n" + status));
        assertEquals(node + "\n" + status, version, row.get("Version"));
        assertEquals(node + "\n" + status, "ACTIVE", row.get("State"));
        assertEquals(node + "\n" + status, sha256, row.get("SHA-256"));
    }

    private static Optional<Map<String, String>> row(List<Map<String, String>> rows, String column, String value) {
        return rows.stream().filter(r -> value.equals(r.get(column))).findFirst();
    }

    private static void assertOk(String out) {
        assertTrue(out, out.contains("OK: rollout"));
    }
}
