package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertCleanLoad;
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
        String leader = cluster.leader();
        ExecutorService clients = Executors.newCachedThreadPool();
        try {
            List<Future<String>> loads = new ArrayList<>();
            for (String f : cluster.followers()) {
                loads.add(clients.submit(() -> cluster.run(f, "kv:load --seconds 25 --threads 2 --prefix local")));
                loads.add(clients.submit(() -> cluster.run(leader, "kv:load --seconds 25 --threads 2 --prefix remote-"
                        + f + " --remote " + f)));
            }
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
            for (Future<String> load : loads) {
                String report = load.get(2, TimeUnit.MINUTES);
                System.out.println("kv:load: " + report.trim());
                assertCleanLoad(report);
            }
        } finally {
            clients.shutdownNow();
        }
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        for (String f : cluster.followers()) {
            cluster.assertRuns(f, KV, "1.1.0", sha);
            cluster.assertKv(f, "1.1.0", 2);
        }
    }
}
