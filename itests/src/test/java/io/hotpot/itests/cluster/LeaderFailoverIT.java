package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.hotpot.itests.cluster.RunningCluster.CONVERGE;
import static io.hotpot.itests.cluster.RunningCluster.KV;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * Fault 3: kill -9 of the leader in the middle of a rolling rollout (batches of one node, the
 * leader last), after the first follower was updated, while KV clients run on both followers. A new
 * leader is elected, reads the rollout from ZooKeeper and completes it; the old leader, restarted,
 * converges too.
 */
public class LeaderFailoverIT {

    private static RunningCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("leader-failover-it", 3);
        cluster.installKv("kv-1.0.0.jar");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void aRollingRolloutWhoseLeaderDiesIsCompletedByTheNewLeader() throws Exception {
        String leader = cluster.leader();
        List<String> followers = cluster.followers();
        Path faults = Files.createDirectories(cluster.nodes().home(leader).resolve("data/hotpot/faults"));
        Files.writeString(faults.resolve("BETWEEN_BATCHES"), "");
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));

        try (Loads loads = new Loads(cluster, followers, 40, 1, "fault3")) {
            CompletableFuture.runAsync(() -> {
                try {
                    cluster.run(leader, "hot:distribute --policy rolling --batch 1 " + Fixtures.jar("kv-1.1.0.jar"));
                } catch (RuntimeException expected) {
                    // The leader's console dies with it.
                }
            });
            await("the leader updated its first batch and pauses").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes().log(leader).contains("Hotpot fault injection: pausing at BETWEEN_BATCHES"));
            cluster.assertRuns(followers.get(0), KV, "1.1.0", sha);
            cluster.assertRuns(followers.get(1), KV, "1.0.0", null);
            long killedAt = System.nanoTime();
            cluster.nodes().kill(leader);
            Files.delete(faults.resolve("BETWEEN_BATCHES"));

            AtomicReference<String> newLeader = new AtomicReference<>();
            await("a new leader").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
                Matcher m = Pattern.compile("Leader: (\\S+)").matcher(cluster.run(followers.get(0), "hot:nodes"));
                if (m.find() && followers.contains(m.group(1))) {
                    newLeader.set(m.group(1));
                    return true;
                }
                return false;
            });
            assertNotEquals(leader, newLeader.get());
            System.out.printf("fault 3: new leader %s elected %d ms after the kill%n", newLeader.get(),
                    (System.nanoTime() - killedAt) / 1_000_000);

            for (String f : followers) {
                await(f + " completes the rollout").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> cluster.assertRuns(f, KV, "1.1.0", sha));
                cluster.assertKv(f, "1.1.0", 2);
            }
            System.out.printf("fault 3: every follower runs 1.1.0 %d ms after the kill%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
            String takeover = cluster.nodes().log(newLeader.get());
            assertTrue(takeover.contains("Hotpot: node " + newLeader.get() + " takes over rollout"));
            Matcher id = Pattern.compile("takes over rollout (r-\\S+) of").matcher(takeover);
            assertTrue(id.find());
            await("the rollout is recorded complete").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                    .until(() -> "COMPLETED".equals(cluster.rollout(id.group(1)).getProperty("status")));
            Properties rollout = cluster.rollout(id.group(1));
            assertEquals(rollout.toString(), newLeader.get(), rollout.getProperty("leader"));
            assertEquals(rollout.toString(), "rolling:1", rollout.getProperty("policy"));
            cluster.assertConverged(KV, "1.1.0", sha, followers);
            loads.assertClean("on the followers while the leader died mid-rollout");

            long restartedAt = System.nanoTime();
            cluster.nodes().startNode(leader);
            await(leader + " converges after its restart").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> cluster.assertRuns(leader, KV, "1.1.0", sha));
            System.out.printf("fault 3: the old leader %s converged %d ms after its restart began%n", leader,
                    (System.nanoTime() - restartedAt) / 1_000_000);
            cluster.assertConverged(KV, "1.1.0", sha, cluster.nodes().nodes());
        }
    }
}
