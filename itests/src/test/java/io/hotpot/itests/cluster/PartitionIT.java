package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.row;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Issue 9, item 6: a follower cut off from the cluster during a rollout, then healed. Every path to
 * and from it (its ZooKeeper connection, for Curator and Aries discovery, and its fastbin endpoint,
 * which the node binds on 127.0.0.2 behind a relay on the 127.0.0.1 address it advertises) passes
 * through a {@link PartitionRelay}, which drops everything while cut, as a partition does: network
 * namespaces need root, and the suite runs as any user. Its own calls to the others' endpoints are
 * not relayed; a cut-off follower makes none (it learns of rollouts and fetches bytes only after its
 * ZooKeeper session is back).
 *
 * <p>The cut lasts two session timeouts, so its session expires, and the leader rolls KV 1.1.0 out
 * meanwhile. The cut-off node keeps serving its clients on 1.0.0 and applies nothing; the rollout
 * does not wait apply.timeout.ms for it, but completes on the majority once ZooKeeper no longer
 * lists it; after the heal the node converges to what the majority decided, with its state, and no
 * client on any follower saw a failed or lost call.
 */
public class PartitionIT {

    private static final Duration CUT = Duration.ofSeconds(22);

    private static RunningCluster cluster;
    private static final List<PartitionRelay> relays = new ArrayList<>();

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("partition-it", 3);
        cluster.installKv("kv-1.0.0.jar");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        relays.forEach(PartitionRelay::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void aFollowerCutOffDuringARolloutKeepsServingAppliesNothingAndConvergesAfterTheHeal() throws Exception {
        String cut = cluster.followers().get(cluster.followers().size() - 1);
        String leader = cluster.leader();
        List<String> all = cluster.nodes().nodes();
        String sha10 = Fixtures.sha256(Fixtures.jar("kv-1.0.0.jar"));
        String sha11 = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));

        // Put the node behind its relays: its ZooKeeper and its endpoint.
        cluster.nodes().stop(cut);
        int zkPort = Integer.parseInt(cluster.connectString().substring(cluster.connectString().lastIndexOf(':') + 1));
        PartitionRelay zookeeper = relay(PartitionRelay.toLoopbackPort(zkPort));
        int fastbin = cluster.nodes().fastbinPort(cut);
        PartitionRelay endpoint = relay(new PartitionRelay(new InetSocketAddress("127.0.0.1", fastbin),
                new InetSocketAddress("127.0.0.2", fastbin)));
        Path etc = cluster.nodes().home(cut).resolve("etc");
        setProperty(etc.resolve("io.hotpot.node.cfg"), "zookeeper.connect", "127.0.0.1:" + zookeeper.port());
        setProperty(etc.resolve("org.apache.aries.rsa.discovery.zookeeper.cfg"), "zookeeper.port",
                Integer.toString(zookeeper.port()));
        setProperty(etc.resolve("org.apache.aries.rsa.provider.fastbin.cfg"), "uri", "tcp://127.0.0.2:" + fastbin);
        cluster.nodes().startNode(cut);
        cluster.awaitRemoteStores();
        cluster.assertConverged(KV, "1.0.0", sha10, all);

        try (Loads loads = new Loads(cluster, cluster.followers(), (int) CUT.toSeconds() + 50, 2, "partition")) {
            Thread.sleep(3_000);
            zookeeper.cut();
            endpoint.cut();
            long cutAt = System.nanoTime();
            System.out.println("PartitionIT: " + cut + " cut off");

            String out = cluster.distribute(Fixtures.jar("kv-1.1.0.jar"));
            long rolloutSeconds = (System.nanoTime() - cutAt) / 1_000_000_000L;
            System.out.println(out);
            System.out.println("PartitionIT: the rollout ended " + rolloutSeconds + " s after the cut");
            assertTrue(out, out.startsWith("INCOMPLETE: rollout") || out.contains("\nINCOMPLETE: rollout"));
            List<Map<String, String>> rows = ConsoleTable.parse(out);
            for (String n : all) {
                Map<String, String> r = row(rows, "Node", n).orElseThrow(() -> new AssertionError(n + ":\n" + out));
                assertEquals(n + "\n" + out, n.equals(cut) ? "UNREACHABLE" : "APPLIED", r.get("Step"));
            }
            assertTrue(out, Pattern.compile(Pattern.quote(cut) + ": UNREACHABLE.*left the cluster").matcher(out).find());
            Properties rollout = cluster.rollout(RunningCluster.rolloutId(out));
            assertEquals(rollout.toString(), "COMPLETED", rollout.getProperty("status"));
            assertEquals(rollout.toString(), "UNREACHABLE", rollout.getProperty("step." + cut));

            long left = CUT.toMillis() - (System.nanoTime() - cutAt) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
            // Cut off for two session timeouts: still serving what it ran, and nothing applied.
            String check = cluster.run(cut, "kv:check --count 1000");
            assertTrue(cut + ": " + check, check.contains("present=1000 wrong=0 missing=0 schema=1 inShape=1000"));
            String bundles = cluster.run(cut, "bundle:list -s");
            assertTrue(cut + " still runs KV 1.0.0 while cut off:\n" + bundles, bundles.lines()
                    .anyMatch(l -> l.contains(KV) && l.contains("Active") && l.contains(" 1.0.0 ")));

            zookeeper.heal();
            endpoint.heal();
            long healedAt = System.nanoTime();
            System.out.println("PartitionIT: " + cut + " healed");
            await(cut + " converges after the heal").atMost(RunningCluster.CONVERGE).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().untilAsserted(() -> cluster.assertConverged(KV, "1.1.0", sha11, all));
            System.out.printf("PartitionIT: converged %.1f s after the heal (cut for %d s, session timeout 10 s)%n",
                    (System.nanoTime() - healedAt) / 1e9, CUT.toSeconds());
            loads.assertClean("on the followers across the cut, the rollout, the heal and the catch-up swap");
        }
        cluster.assertKv(cut, "1.1.0", 2);
        cluster.awaitReady();
        assertEquals("the leader stays the leader", leader, cluster.leader());
    }

    private static PartitionRelay relay(PartitionRelay r) {
        relays.add(r);
        return r;
    }

    /** Sets one key of a Karaf {@code .cfg} file, keeping the others. */
    private static void setProperty(Path cfg, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>();
        boolean done = false;
        for (String line : Files.readAllLines(cfg)) {
            if (line.strip().matches(Pattern.quote(key) + "\\s*[=:].*")) {
                if (!done) {
                    lines.add(key + " = " + value);
                }
                done = true;
            } else {
                lines.add(line);
            }
        }
        if (!done) {
            lines.add(key + " = " + value);
        }
        Files.write(cfg, lines);
    }
}
