package io.hotpot.itests.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.hotpot.itests.cluster.RunningCluster.assertCleanLoad;

/**
 * Read-after-write clients on every follower's KV store, each through a node's console
 * ({@code kv:load}): one local on the follower, one from the leader through Aries RSA.
 */
final class Loads implements AutoCloseable {

    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final List<Future<String>> reports = new ArrayList<>();

    /** Starts the clients; they run for the given time, then report. */
    Loads(RunningCluster cluster, int seconds, int threads, String prefix) {
        String leader = cluster.leader();
        String args = " --seconds " + seconds + " --threads " + threads;
        for (String f : cluster.followers()) {
            reports.add(clients.submit(() -> cluster.run(f, "kv:load" + args + " --prefix " + prefix)));
            reports.add(clients.submit(() -> cluster.run(leader, "kv:load" + args + " --prefix " + prefix + "-" + f
                    + " --remote " + f)));
        }
    }

    /**
     * Starts one local client on each given node only: for tests that kill the other nodes, whose
     * consoles die with them.
     */
    Loads(RunningCluster cluster, java.util.Collection<String> nodes, int seconds, int threads, String prefix) {
        String args = " --seconds " + seconds + " --threads " + threads;
        for (String n : nodes) {
            reports.add(clients.submit(() -> cluster.run(n, "kv:load" + args + " --prefix " + prefix + "-" + n)));
        }
    }

    /**
     * Starts one local client on each given node for each named store ({@code kv:load --store}), each
     * on keys of its own: for bundles that register several stores, told apart by {@code kv.store}.
     */
    Loads(RunningCluster cluster, java.util.Collection<String> nodes, List<String> stores, int seconds, int threads,
          String prefix) {
        String args = " --seconds " + seconds + " --threads " + threads;
        for (String n : nodes) {
            for (String store : stores) {
                reports.add(clients.submit(() -> cluster.run(n, "kv:load --store " + store + args + " --prefix "
                        + prefix + "-" + store + "-" + n)));
            }
        }
    }

    /** Waits for every client and asserts none saw a failed, mismatched or lost call. */
    void assertClean(String label) throws Exception {
        for (Future<String> report : reports) {
            String r = report.get(2, TimeUnit.MINUTES);
            System.out.println("kv:load " + label + ": " + r.trim());
            assertCleanLoad(r);
        }
    }

    @Override
    public void close() {
        clients.shutdownNow();
    }
}
