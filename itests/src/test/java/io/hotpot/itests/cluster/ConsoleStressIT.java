package io.hotpot.itests.cluster;

import static org.junit.Assume.assumeTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.Test;

/**
 * Not part of the suite: runs only with {@code -Dhotpot.it.stress.minutes=N}. Opens console
 * connections on every node as fast as it can, each a {@code hot:status -d} followed by a
 * {@code bundle:list} (the pair after which every sighting of issue 9's stall came), restarts a
 * follower every 40 s and rolls out an update to every node after each restart, until a connection
 * is not accepted (then {@link LocalCluster#run} keeps the diagnosis) or time is up. Before the JDK
 * poller setting (StrandedAcceptIT) it stalled after about 10 minutes.
 */
public class ConsoleStressIT {

    @Test
    public void sessionsKeepOpening() throws Exception {
        String minutes = System.getProperty("hotpot.it.stress.minutes");
        assumeTrue("set -Dhotpot.it.stress.minutes to run", minutes != null);
        Instant end = Instant.now().plus(Duration.ofMinutes(Long.parseLong(minutes)));
        try (RunningCluster cluster = RunningCluster.start("stress", 3)) {
            LocalCluster nodes = cluster.nodes();
            cluster.distribute(Fixtures.jar("kv-api.jar"));
            long sessions = 0;
            Instant nextRestart = Instant.now().plusSeconds(40);
            int victim = 0;
            int round = 1;
            while (Instant.now().isBefore(end)) {
                for (String n : nodes.nodes()) {
                    nodes.run(n, "hot:status -d");
                    nodes.run(n, "bundle:list -t 0 -s");
                    sessions += 2;
                }
                if (Instant.now().isAfter(nextRestart)) {
                    String node = cluster.followers().get(victim++ % cluster.followers().size());
                    System.out.println("stress: " + sessions + " sessions so far; restarting " + node);
                    nodes.kill(node);
                    nodes.startNode(node);
                    // An update of commons-lang3 on every node, the restarted one within a minute of its boot.
                    java.nio.file.Path jar = java.nio.file.Path.of(System.getProperty("hotpot.work"),
                            "stress-lang3-" + round + ".jar");
                    Fixtures.withManifest(Fixtures.jar("commons-lang3-3.12.0.jar"), jar, "3.12." + round++, null);
                    System.out.println("stress: " + cluster.distribute(jar).lines().filter(l -> l.contains("rollout"))
                            .findFirst().orElse("?"));
                    nextRestart = Instant.now().plusSeconds(40);
                }
            }
            System.out.println("stress: " + sessions + " sessions, no stall");
        }
    }
}
