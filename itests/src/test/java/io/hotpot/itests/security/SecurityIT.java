package io.hotpot.itests.security;

import io.hotpot.itests.cluster.ConsoleTable;
import io.hotpot.itests.cluster.Fixtures;
import io.hotpot.itests.cluster.KarafConsole;
import io.hotpot.itests.cluster.RunningCluster;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;

import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static io.hotpot.itests.security.FastbinClient.exchange;
import static io.hotpot.itests.security.FastbinClient.frame;
import static io.hotpot.itests.security.FastbinClient.serialize;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * Hostile input from the network against two real nodes: ZooKeeper clients without the cluster's
 * credentials, random bytes and a gadget object on a follower's fastbin port, a read-only console
 * user trying to change the cluster. Each is refused, logged, and changes nothing; the nodes keep
 * serving.
 */
public class SecurityIT {

    private static final String KV_API = "io.hotpot.examples.kv.api";

    private static RunningCluster cluster;

    @BeforeClass
    public static void start() throws Exception {
        cluster = RunningCluster.start("security", 2);
        assertOk(cluster.distribute(Fixtures.jar("kv-api.jar")));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String zookeeperAuth() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(cluster.nodes().securityFile())) {
            p.load(in);
        }
        return p.getProperty("zookeeper.auth");
    }

    private static CuratorFramework client(String auth) {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(cluster.zookeeper().getConnectString()).retryPolicy(new RetryOneTime(100))
                .sessionTimeoutMs(5000).connectionTimeoutMs(5000);
        if (auth != null) {
            b.authorization("digest", auth.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework c = b.build();
        c.start();
        return c;
    }

    @Test
    public void zooKeeperRefusesClientsWithoutTheClusterCredentials() throws Exception {
        String desired = "/hotpot/desired/" + KV_API;
        byte[] before;
        try (CuratorFramework member = client(zookeeperAuth())) {
            before = member.getData().forPath(desired);
        }
        for (String auth : new String[]{null, "hotpot:not-the-cluster-secret-0123456789"}) {
            try (CuratorFramework stranger = client(auth)) {
                assertThrows(KeeperException.NoAuthException.class, () -> stranger.getData().forPath(desired));
                assertThrows(KeeperException.NoAuthException.class,
                        () -> stranger.setData().forPath(desired, "version=6.6.6".getBytes(StandardCharsets.UTF_8)));
                assertThrows(KeeperException.NoAuthException.class, () -> stranger.create()
                        .withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE).forPath("/hotpot/desired/org.evil", new byte[1]));
                assertThrows(KeeperException.NoAuthException.class, () -> stranger.delete().forPath(desired));
                assertThrows(KeeperException.NoAuthException.class, () -> stranger.getChildren().forPath("/hotpot/nodes"));
            }
        }
        try (CuratorFramework member = client(zookeeperAuth())) {
            assertArrayEquals("desired state unchanged", before, member.getData().forPath(desired));
        }
    }

    @Test
    public void fastbinRefusesRandomBytesAndGadgetsAndTheNodeKeepsServing() throws Exception {
        String follower = cluster.followers().get(0);
        int port = cluster.nodes().fastbinPort(follower);
        String endpoint = ConsoleTable.parse(cluster.run(cluster.leader(), "hot:nodes")).stream()
                .filter(r -> follower.equals(r.get("Node"))).map(r -> r.get("Endpoint")).findFirst().orElseThrow();

        // Random bytes: an absurd frame length, then garbage. Fastbin drops the connection.
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        exchange(port, noise);
        // A well-formed frame for the real endpoint and method whose arguments are random bytes.
        exchange(port, frame(endpoint, "nodeId,", noise));

        // A gadget-style argument: PriorityQueue is the trigger of classic deserialization chains.
        PriorityQueue<Object> gadget = new PriorityQueue<>();
        gadget.add("x");
        String answer = exchange(port, frame(endpoint, "nodeId,", serialize(new Object[]{gadget})));
        assertTrue("the call failed with the filter's rejection: " + answer, answer.contains("REJECTED"));
        await("the security log entry").atMost(Duration.ofSeconds(10)).until(() -> cluster.nodes().log(follower)
                .contains("SECURITY " + follower + ": refused class java.util.PriorityQueue from a fastbin remote call"));

        // The follower still serves: the leader reaches it for status, and a real rollout goes through.
        assertTrue(ConsoleTable.parse(cluster.run(cluster.leader(), "hot:nodes")).stream()
                .allMatch(r -> "-".equals(r.get("Problem"))));
        assertOk(cluster.distribute(Fixtures.jar("commons-lang3-3.12.0.jar")));
        assertTrue(cluster.run(follower, "hot:status org.apache.commons.lang3").contains("3.12.0"));
    }

    @Test
    public void aViewerMayLookButNotDistribute() throws Exception {
        try (KarafConsole viewer = new KarafConsole(cluster.nodes().sshPort(cluster.leader()), "viewer", "viewer")) {
            String status = viewer.run("hot:status " + KV_API);
            assertTrue(status, status.contains(KV_API));
            String refused = viewer.run("hot:distribute " + Fixtures.jar("commons-lang3-3.14.0.jar"));
            assertFalse(refused, refused.contains("OK: rollout"));
            assertRefusedByAcl(refused, "hot:distribute");
            assertRefusedByAcl(viewer.run("hot:rollback " + KV_API), "hot:rollback");
            assertRefusedByAcl(viewer.run("hot:undeploy " + KV_API), "hot:undeploy");
        }
        assertFalse("nothing was distributed", cluster.run(cluster.leader(), "hot:status org.apache.commons.lang3")
                .contains("3.14.0"));
    }

    /** Karaf hides a command from a user whose roles its ACL does not grant, or refuses it. */
    private static void assertRefusedByAcl(String output, String command) {
        String plain = output.replaceAll("\u001B\\[[;\\d]*m", "");
        assertTrue(output, plain.contains("Command not found: " + command)
                || plain.toLowerCase().contains("insufficient credentials"));
    }

    @Test
    public void everyNodeListensOnLoopbackOnly() throws Exception {
        Assume.assumeTrue("needs ss", new ProcessBuilder("sh", "-c", "command -v ss").start().waitFor() == 0);
        for (String node : cluster.nodes().nodes()) {
            for (int port : List.of(cluster.nodes().fastbinPort(node), cluster.nodes().sshPort(node))) {
                Process ss = new ProcessBuilder("ss", "-Htln", "sport = :" + port).redirectErrorStream(true).start();
                String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                ss.waitFor();
                assertFalse(node + " port " + port + " is not listening", out.isEmpty());
                for (String line : out.split("\n")) {
                    // IPv4 127.0.0.1, also as the IPv4-mapped address a dual-stack socket shows.
                    assertTrue(node + ": " + line, line.matches(".*\\s(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):" + port + "\\s.*"));
                }
            }
        }
    }

    /**
     * Issue 11 item 5: the cluster's secrets are not in Configuration Admin. Before, PID
     * {@code io.hotpot.security} held them: Configuration Admin kept its own copy under the node's
     * {@code data/} with default permissions, and Karaf's configuration MBean, whose
     * {@code list*} operations the default {@code jmx.acl.cfg} grants to the {@code viewer} role,
     * listed them. Now they live in {@code etc/hotpot-credentials.properties} (mode 600), read by the
     * node itself: no file under {@code data/} holds them (the log included), the viewer's console
     * and its JMX connection show none of them, and the node runs on them (it is a member, and
     * ZooKeeper lets it in: the other tests).
     */
    @Test
    public void noViewerAndNoFileUnderDataHoldsTheSecrets() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(cluster.nodes().securityFile())) {
            p.load(in);
        }
        String auth = p.getProperty("zookeeper.auth");
        List<String> secrets = List.of(p.getProperty("signing.key"), auth.substring(auth.indexOf(':') + 1));
        for (String node : cluster.nodes().nodes()) {
            java.nio.file.Path home = cluster.nodes().home(node);
            assertEquals(node + ": the credentials file is the owner's only", "rw-------",
                    java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                            home.resolve("etc/hotpot-credentials.properties"))));
            List<String> holding = new java.util.ArrayList<>();
            try (java.util.stream.Stream<java.nio.file.Path> files = Files.walk(home.resolve("data"))) {
                for (java.nio.file.Path f : files.filter(Files::isRegularFile).toList()) {
                    if (Files.size(f) < 16 * 1024 * 1024) {
                        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                        if (secrets.stream().anyMatch(text::contains)) {
                            holding.add(home.relativize(f).toString());
                        }
                    }
                }
            }
            assertEquals(node + ": files under data/ that hold a secret", List.of(), holding);

            try (KarafConsole viewer = new KarafConsole(cluster.nodes().sshPort(node), "viewer", "viewer")) {
                String listed = viewer.run("config:property-list -p io.hotpot.security");
                assertTrue(node + ": the viewer's console shows a secret:\n" + listed,
                        secrets.stream().noneMatch(listed::contains));
            }
            java.util.Map<String, Object> env = java.util.Map.of(javax.management.remote.JMXConnector.CREDENTIALS,
                    new String[]{"viewer", "viewer"});
            try (javax.management.remote.JMXConnector jmx = javax.management.remote.JMXConnectorFactory.connect(
                    new javax.management.remote.JMXServiceURL(cluster.nodes().jmxUrl(node)), env)) {
                javax.management.ObjectName config = new javax.management.ObjectName("org.apache.karaf:type=config,name=" + node);
                String listed;
                try {
                    listed = String.valueOf(jmx.getMBeanServerConnection().invoke(config, "listProperties",
                            new Object[]{"io.hotpot.security"}, new String[]{String.class.getName()}));
                } catch (javax.management.MBeanException | SecurityException e) {
                    listed = "refused: " + e;
                }
                System.out.println(node + ": viewer's JMX listProperties(io.hotpot.security): " + listed);
                assertTrue(node + ": the viewer's JMX shows a secret", secrets.stream().noneMatch(listed::contains));
            }
        }
    }

    /**
     * Issue 11 item 5, the other half: with the credentials outside Configuration Admin, the node
     * must notice their file change by itself. Step 2 of a key rotation (SECURITY.md) appends the
     * next public key to {@code trusted.keys} on every node: each node restarts its Hotpot component
     * on the new file, and the cluster works on. First, on one node, a copy that others may read
     * (mode 644) is refused with a SECURITY line and the node keeps running on what it has, without
     * restarting; once it is mode 600 again it is used.
     */
    @Test
    public void aChangedCredentialsFileIsUsedOnceItIsTheOwnersOnly() throws Exception {
        String next = io.hotpot.runtime.security.credentials.ClusterSecrets.generate(new java.security.SecureRandom()).trustedKeys().get(0);
        String first = cluster.nodes().nodes().get(0);
        java.nio.file.Path firstFile = cluster.nodes().home(first).resolve("etc/hotpot-credentials.properties");
        int firstStarts = cluster.nodes().runtimeStarts(first);
        Files.setPosixFilePermissions(firstFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        await(first + " refuses a credentials file others may read").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500)).until(() -> cluster.nodes().log(first)
                        .lines().anyMatch(l -> l.contains("SECURITY") && l.contains("cannot use the credentials in ")
                                && l.contains("hotpot-credentials.properties, the node keeps the ones it runs on")
                                && l.contains("(rw-r--r--)")));
        Files.setPosixFilePermissions(firstFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Thread.sleep(6_000);
        assertEquals(first + " did not restart for a mode change of the same secrets", firstStarts, cluster.nodes().runtimeStarts(first));

        java.util.Map<String, Integer> before = new java.util.HashMap<>();
        for (String node : cluster.nodes().nodes()) {
            before.put(node, cluster.nodes().runtimeStarts(node));
            java.nio.file.Path file = cluster.nodes().home(node).resolve("etc/hotpot-credentials.properties");
            String text = Files.readString(file);
            java.nio.file.Path tmp = file.resolveSibling(".hotpot-credentials.tmp");
            Files.writeString(tmp, text.replaceFirst("(?m)^(trusted\\.keys\\s*=\\s*.*)$", "$1," + next));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (String node : cluster.nodes().nodes()) {
            await(node + " restarts on its new credentials file").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> cluster.nodes().runtimeStarts(node) > before.get(node)
                            && cluster.nodes().log(node).contains("the credentials file changed"));
        }
        cluster.awaitReady();
        assertOk(cluster.distribute(Fixtures.jar("kv-1.0.0.jar")));
    }

}
