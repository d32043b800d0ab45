package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.hotpot.itests.cluster.RunningCluster.CONVERGE;
import static io.hotpot.itests.cluster.RunningCluster.KV;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertNotEquals;

/**
 * kill -9 of the leader in the middle of a rollout: after it recorded the desired state and staged
 * the bytes on every follower, before it applied them anywhere. A new leader is elected, and the
 * rollout completes: every follower converges to the new version from its own copy, with its
 * state migrated; the old leader, restarted, converges too.
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
    public void aRolloutWhoseLeaderDiesCompletes() throws Exception {
        String leader = cluster.leader();
        List<String> followers = cluster.followers();
        Path faults = Files.createDirectories(cluster.nodes().home(leader).resolve("data/hotpot/faults"));
        Files.writeString(faults.resolve("BEFORE_APPLY"), "");

        CompletableFuture.runAsync(() -> {
            try {
                cluster.distribute(Fixtures.jar("kv-1.1.0.jar"));
            } catch (RuntimeException expected) {
                // The leader's console dies with it.
            }
        });
        await("the leader staged the artifact and pauses").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.nodes().log(leader).contains("Hotpot fault injection: pausing at BEFORE_APPLY"));
        long killedAt = System.nanoTime();
        cluster.nodes().kill(leader);
        Files.delete(faults.resolve("BEFORE_APPLY"));

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
        System.out.printf("new leader %s elected %d ms after the kill%n", newLeader.get(),
                (System.nanoTime() - killedAt) / 1_000_000);

        String sha = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        for (String f : followers) {
            await(f + " completes the rollout").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> cluster.assertRuns(f, KV, "1.1.0", sha));
            cluster.assertKv(f, "1.1.0", 2);
        }
        System.out.printf("every follower runs 1.1.0 %d ms after the kill%n", (System.nanoTime() - killedAt) / 1_000_000);

        cluster.nodes().startNode(leader);
        await(leader + " converges after its restart").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> cluster.assertRuns(leader, KV, "1.1.0", sha));
    }
}
