package io.hotpot.itests.cluster;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * A real ZooKeeper server on 127.0.0.1 (Curator's TestingServer) and N Karaf nodes of the built
 * distribution, with a leader elected and every node's follower endpoint imported everywhere; plus
 * the assertions the multi-node tests share, each made through a node's own console.
 */
public final class RunningCluster implements AutoCloseable {

    public static final String KV = "io.hotpot.examples.kv.store";
    public static final Duration CONVERGE = Duration.ofSeconds(90);

    private final TestingServer zookeeper;
    private final java.io.Closeable zookeeperServers;
    private final String connectString;
    private final LocalCluster cluster;
    private String leader;

    private RunningCluster(TestingServer zookeeper, java.io.Closeable zookeeperServers, String connectString,
                           LocalCluster cluster) {
        this.zookeeper = zookeeper;
        this.zookeeperServers = zookeeperServers;
        this.connectString = connectString;
        this.cluster = cluster;
    }

    /** Starts ZooKeeper and the nodes, and waits for a leader and for every endpoint. */
    public static RunningCluster start(String name, int nodes) throws Exception {
        TestingServer zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        return start(name, nodes, zk, zk, zk.getConnectString());
    }

    /**
     * Starts a ZooKeeper ensemble of that many real servers on 127.0.0.1 (Curator's TestingCluster)
     * and the nodes, connected to all of them; waits for a leader and for every endpoint.
     */
    public static RunningCluster startOnEnsemble(String name, int nodes, int servers) throws Exception {
        List<InstanceSpec> specs = new java.util.ArrayList<>();
        for (int i = 0; i < servers; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i + 1, -1, -1, null, "127.0.0.1"));
        }
        org.apache.curator.test.TestingCluster ensemble = new org.apache.curator.test.TestingCluster(specs);
        ensemble.start();
        return start(name, nodes, null, ensemble, ensemble.getConnectString());
    }

    private static RunningCluster start(String name, int nodes, TestingServer single, java.io.Closeable servers,
                                        String connect) throws Exception {
        LocalCluster cluster;
        try {
            cluster = LocalCluster.start(nodes, Path.of(System.getProperty("hotpot.work"), name), connect);
        } catch (Exception | Error e) {
            servers.close();
            throw e;
        }
        RunningCluster running = new RunningCluster(single, servers, connect, cluster);
        try {
            running.awaitReady();
        } catch (Exception | Error e) {
            running.close();
            throw e;
        }
        return running;
    }

    /** Waits until a leader is elected and every node reaches every other node's endpoint. */
    public void awaitReady() {
        await("a leader and reachable nodes").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String out = cluster.run(cluster.nodes().get(0), "hot:nodes");
            Optional<String> named = leaderNamedIn(out);
            if (named.isEmpty() || ConsoleTable.parse(out).size() != cluster.nodes().size()) {
                return false;
            }
            leader = named.get();
            return cluster.nodes().stream().allMatch(n -> ConsoleTable.parse(cluster.run(n, "hot:nodes")).stream()
                    .allMatch(r -> "-".equals(r.get("Problem"))));
        });
    }

    /** Reads the leader again from a node's {@code hot:nodes}, waiting until one is elected. */
    public void refreshLeader() {
        await("a leader").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Optional<String> named = leaderNamedIn(cluster.run(cluster.nodes().get(0), "hot:nodes"));
            named.ifPresent(l -> leader = l);
            return named.isPresent();
        });
    }

    /** @return the leader that a {@code hot:nodes} output names, empty if none is elected */
    private static Optional<String> leaderNamedIn(String hotNodes) {
        Matcher m = Pattern.compile("Leader: (\\S+)").matcher(hotNodes);
        return m.find() && !m.group(1).startsWith("none") ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** @return the ZooKeeper server, to stop and restart it (not for a cluster on an ensemble) */
    public TestingServer zookeeper() {
        if (zookeeper == null) {
            throw new IllegalStateException("this cluster runs on an ensemble: " + connectString);
        }
        return zookeeper;
    }

    /** @return the ZooKeeper ensemble, to kill and restart its servers (only for a cluster on an ensemble) */
    public org.apache.curator.test.TestingCluster ensemble() {
        if (!(zookeeperServers instanceof org.apache.curator.test.TestingCluster e)) {
            throw new IllegalStateException("this cluster runs on one server: " + connectString);
        }
        return e;
    }

    /** @return the ZooKeeper connect string the nodes use */
    public String connectString() {
        return connectString;
    }

    public LocalCluster nodes() {
        return cluster;
    }

    public String leader() {
        return leader;
    }

    public List<String> followers() {
        return cluster.nodes().stream().filter(n -> !n.equals(leader)).toList();
    }

    public String run(String node, String command) {
        return cluster.run(node, command);
    }

    /** Runs hot:distribute of a fixture on the leader and returns its output. */
    public String distribute(Path jar) {
        return cluster.run(leader, "hot:distribute " + jar);
    }

    /** Installs the KV API and a KV store version on every node, and writes 1,000 entries on each follower. */
    public void installKv(String storeJar) {
        assertOk(distribute(Fixtures.jar("kv-api.jar")));
        assertOk(distribute(Fixtures.jar(storeJar)));
        for (String f : followers()) {
            assertTrue(cluster.run(f, "kv:fill --count 1000").contains("wrote 1000 entries"));
        }
    }

    /** Waits until every node imported the KV stores of the others (for remote loads). */
    public void awaitRemoteStores() {
        for (String node : cluster.nodes()) {
            for (String other : cluster.nodes()) {
                if (!node.equals(other)) {
                    await(node + " imports the store of " + other).atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                            .until(() -> cluster.run(node, "kv:load --seconds 0 --remote " + other).contains("failed=0"));
                }
            }
        }
    }

    /**
     * @return the service ids of the node's own Hotpot proxies ({@code hotpot.gated}, not imported
     *         through RSA) for that interface, as Karaf's {@code service:list} shows them, in order
     */
    public List<Long> gatedServiceIds(String node, String objectClass) {
        String out = cluster.run(node, "service:list " + objectClass);
        List<Long> ids = new java.util.ArrayList<>();
        for (String block : out.split("\\R\\s*\\R")) {
            Matcher id = Pattern.compile("(?m)^ service\\.id = (\\d+)").matcher(block);
            if (block.contains(" hotpot.gated = ") && !block.contains(" service.imported") && id.find()) {
                ids.add(Long.parseLong(id.group(1)));
            }
        }
        java.util.Collections.sort(ids);
        return ids;
    }

    /** The node's own console reports the bundle ACTIVE at that version with exactly those bytes. */
    public void assertRuns(String node, String bsn, String version, String sha256) {
        String status = cluster.run(node, "hot:status -d " + bsn);
        Map<String, String> row = row(ConsoleTable.parse(status), "Node", node)
                .orElseThrow(() -> new AssertionError(node + " has no row for " + bsn + ":\n" + status));
        assertEquals(node + "\n" + status, version, row.get("Version"));
        assertEquals(node + "\n" + status, "ACTIVE", row.get("State"));
        if (sha256 != null) {
            assertEquals(node + "\n" + status, sha256, row.get("SHA-256"));
        }
        assertNothingRemovalPending(node);
    }

    /**
     * The node's framework holds no revision pending removal (FrameworkWiring.getRemovalPendingBundles(),
     * through {@code hot:wiring}): every swap refreshed what it replaced, so no old class loader lives on.
     */
    public void assertNothingRemovalPending(String node) {
        String wiring = cluster.run(node, "hot:wiring");
        assertTrue(node + ": hot:wiring\n" + wiring, wiring.contains("Removal pending: none"));
    }

    /**
     * Every node converged: ZooKeeper's desired state names that version and digest, each node's
     * actual state in ZooKeeper names that version, and each node's own {@code hot:status} shows it
     * ACTIVE with exactly those bytes.
     */
    public void assertConverged(String bsn, String version, String sha256, Collection<String> nodes) throws Exception {
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            Properties desired = zk.read("/hotpot/desired/" + bsn)
                    .orElseThrow(() -> new AssertionError("ZooKeeper holds no desired state of " + bsn));
            assertEquals("desired version in ZooKeeper", version, desired.getProperty("version"));
            assertEquals("desired sha256 in ZooKeeper", sha256, desired.getProperty("sha256"));
            for (String node : nodes) {
                Properties actual = zk.read("/hotpot/actual/" + node + "/" + bsn)
                        .orElseThrow(() -> new AssertionError("ZooKeeper holds no actual state of " + node + " for " + bsn));
                assertEquals(node + "'s actual version in ZooKeeper: " + actual, version, actual.getProperty("version"));
            }
        }
        for (String node : nodes) {
            assertRuns(node, bsn, version, sha256);
        }
    }

    /**
     * Every node removed the bundle ({@code hot:undeploy}): ZooKeeper's desired state of it is a
     * signed removal, each node's actual state records REMOVED, each node's framework holds no bundle
     * of that symbolic name (Karaf's {@code bundle:list}), and nothing is left removal-pending.
     */
    public void assertRemoved(String bsn, Collection<String> nodes) throws Exception {
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            Properties desired = zk.read("/hotpot/desired/" + bsn)
                    .orElseThrow(() -> new AssertionError("ZooKeeper holds no desired state of " + bsn));
            assertEquals("desired action in ZooKeeper: " + desired, "REMOVE", desired.getProperty("action"));
            for (String node : nodes) {
                Properties actual = zk.read("/hotpot/actual/" + node + "/" + bsn)
                        .orElseThrow(() -> new AssertionError("ZooKeeper holds no actual state of " + node + " for " + bsn));
                assertEquals(node + "'s actual outcome in ZooKeeper: " + actual, "REMOVED", actual.getProperty("outcome"));
            }
        }
        for (String node : nodes) {
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            assertTrue(node + " still has " + bsn + ":\n" + bundles, bundles.contains("Symbolic name")
                    && !bundles.contains(bsn));
            assertNothingRemovalPending(node);
        }
    }

    /**
     * Each node's follower endpoint is published in ZooKeeper, where Aries RSA's discovery keeps
     * the endpoints ({@code /osgi/service_registry}), as the test's own client reads it: a node that
     * starts now would import every other one. (A node's console may still call an endpoint that is
     * no longer published, through an import made before.)
     *
     * @return the nodes whose endpoint is missing, empty if none
     */
    public List<String> unpublishedEndpoints() throws Exception {
        List<String> missing = new java.util.ArrayList<>(cluster.nodes());
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            for (String endpoint : zk.children("/osgi/service_registry")) {
                String xml = zk.text("/osgi/service_registry/" + endpoint).orElse("");
                if (xml.contains("io.hotpot.api.FollowerService")) {
                    missing.removeIf(n -> xml.matches("(?s).*name=\"hotpot\\.node\\.id\"[^>]*value=\"" + n + "\".*")
                            || xml.matches("(?s).*name=\"hotpot\\.node\\.id\"[^>]*>\\s*(<value>)?\\s*" + n + "\\s*<.*"));
                }
            }
        }
        return missing;
    }

    /** @return the rollout as ZooKeeper records it (status, policy, leader ...), with the steps per node as "step.&lt;node&gt;" */
    public Properties rollout(String rolloutId) throws Exception {
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            Properties p = zk.read("/hotpot/rollouts/" + rolloutId)
                    .orElseThrow(() -> new AssertionError("ZooKeeper holds no rollout " + rolloutId));
            for (String node : zk.children("/hotpot/rollouts/" + rolloutId)) {
                zk.read("/hotpot/rollouts/" + rolloutId + "/" + node).ifPresent(n -> p.setProperty("step." + node,
                        n.getProperty("step")));
            }
            return p;
        }
    }

    /** Makes one znode read-only for the cluster's identity, or writable again ({@link ZooKeeperView#writable}). */
    public void writable(String path, boolean writable) throws Exception {
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            zk.writable(path, writable);
        }
    }

    /** @return the ids of the rollouts ZooKeeper records as RUNNING */
    public List<String> runningRollouts() throws Exception {
        List<String> running = new java.util.ArrayList<>();
        try (ZooKeeperView zk = new ZooKeeperView(connectString, cluster.securityFile())) {
            for (String id : zk.children("/hotpot/rollouts")) {
                if (zk.read("/hotpot/rollouts/" + id).map(p -> "RUNNING".equals(p.getProperty("status"))).orElse(false)) {
                    running.add(id);
                }
            }
        }
        return running;
    }

    /** @return the rollout id in a hot:distribute or hot:rollback verdict line */
    public static String rolloutId(String out) {
        Matcher m = Pattern.compile("rollout (r-\\S+) of").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no rollout id in:\n" + out);
        }
        return m.group(1);
    }

    /** The node runs that KV version, ACTIVE, with all 1,000 filled entries present and in that version's shape. */
    public void assertKv(String node, String version, int schema) {
        assertRuns(node, KV, version, null);
        String check = cluster.run(node, "kv:check --count 1000");
        assertTrue(node + ": " + check, check.contains("present=1000 wrong=0 missing=0 schema=" + schema + " inShape=1000"));
    }

    public static Optional<Map<String, String>> row(List<Map<String, String>> rows, String column, String value) {
        return rows.stream().filter(r -> value.equals(r.get(column))).findFirst();
    }

    public static void assertOk(String out) {
        assertTrue(out, out.contains("OK: rollout"));
    }

    /** Asserts a kv:load report saw no failed, mismatched or lost call, and made some calls. */
    public static void assertCleanLoad(String report) {
        Matcher m = Pattern.compile("calls=(\\d+) failed=(\\d+) mismatched=(\\d+) lost=(\\d+)").matcher(report);
        assertTrue(report, m.find());
        assertTrue(report, Long.parseLong(m.group(1)) > 100);
        assertEquals(report, "0", m.group(2));
        assertEquals(report, "0", m.group(3));
        assertEquals(report, "0", m.group(4));
    }

    @Override
    public void close() throws Exception {
        try {
            cluster.close();
        } finally {
            zookeeperServers.close();
        }
    }
}
