package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The hot swap under load: while clients call the KV store on every follower, locally and through
 * Aries RSA from another node, checking every read against the last write, the cluster swaps the
 * store from 1.0.0 to 1.1.0, back to 1.0.0, and to 1.1.0 again. No call may fail, no acknowledged
 * write may be lost, and every follower ends on 1.1.0 with every entry in the new shape. First, a
 * follower is reconfigured under the same load: it keeps its gates and proxies, and the swap after
 * it is guarded.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SwapUnderLoadIT {

    private static final String KV_API = "io.hotpot.examples.kv.KeyValueStore";

    private static RunningCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("swap-under-load-it", 3);
        cluster.installKv("kv-1.0.0.jar");
        cluster.awaitRemoteStores();
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Issue 9, item 5: a change of {@code io.hotpot.node} used to deactivate the node, which took its
     * proxies away (consumers rebound to the store's own service, remote clients lost their endpoint)
     * and left the next swap unguarded. The proxy must stay the same registration, and neither the
     * reconfiguration nor the swap after it may fail a call.
     */
    @Test
    public void aReconfiguredFollowerKeepsItsGatesAndProxies() throws Exception {
        String f = cluster.followers().get(0);
        List<Long> proxies = cluster.gatedServiceIds(f, KV_API);
        assertFalse(f + " has no proxy of " + KV_API, proxies.isEmpty());
        int starts = cluster.nodes().runtimeStarts(f);
        try {
            try (Loads loads = new Loads(cluster, 20, 2, "reconfigure")) {
                Thread.sleep(3_000);
                cluster.run(f, "config:property-set -p io.hotpot.node call.timeout.ms 9000");
                await(f + " runs again on its new configuration").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> cluster.nodes().runtimeStarts(f) > starts);
                // A member again, with its new endpoint imported by the leader: otherwise the rollout's plan
                // would leave it out.
                await("the leader reaches " + f + " again").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> RunningCluster.row(
                                ConsoleTable.parse(cluster.run(cluster.leader(), "hot:nodes")), "Node", f)
                                .map(r -> "-".equals(r.get("Problem"))).orElse(false));
                String out = cluster.distribute(Fixtures.jar("kv-1.1.0.jar"));
                System.out.println(out);
                assertOk(out);
                for (Map<String, String> row : ConsoleTable.parse(out)) {
                    assertEquals(out, "UPDATED", row.get("Outcome"));
                }
                loads.assertClean("across a reconfiguration of " + f + " and a swap");
            }
            assertEquals(f + " keeps the same proxy registrations across its reconfiguration", proxies,
                    cluster.gatedServiceIds(f, KV_API));
            String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
            cluster.assertConverged(KV, "1.1.0", sha, cluster.nodes().nodes());
            cluster.assertKv(f, "1.1.0", 2);
        } finally {
            // The next test starts from 1.0.0, whatever happened here.
            assertOk(cluster.distribute(Fixtures.jar("kv-1.0.0.jar")));
        }
    }


    @Test
    public void swappingUnderLoadFailsNoCallAndLosesNoWrite() throws Exception {
        try (Loads loads = new Loads(cluster, 25, 2, "swap")) {
            Thread.sleep(4_000);

            // Up, down and up again: the remote clients must survive every swap, not only the first.
            for (String jar : new String[]{"kv-1.1.0.jar", "kv-1.0.0.jar", "kv-1.1.0.jar"}) {
                String out = cluster.distribute(Fixtures.jar(jar));
                System.out.println(out);
                assertOk(out);
                for (Map<String, String> row : ConsoleTable.parse(out)) {
                    assertEquals(out, "UPDATED", row.get("Outcome"));
                    assertTrue(out, !"-".equals(row.get("Pause (ms)")));
                }
                Thread.sleep(2_000);
            }
            loads.assertClean("across three swaps");
        }
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        for (String f : cluster.followers()) {
            cluster.assertRuns(f, KV, "1.1.0", sha);
            cluster.assertKv(f, "1.1.0", 2);
        }
    }
}
