package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.Map;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The hot swap under load: while clients call the KV store on every follower, locally and through
 * Aries RSA from another node, checking every read against the last write, the cluster swaps the
 * store from 1.0.0 to 1.1.0, back to 1.0.0, and to 1.1.0 again. No call may fail, no acknowledged
 * write may be lost, and every follower ends on 1.1.0 with every entry in the new shape.
 */
public class SwapUnderLoadIT {

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
