package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutListener;
import io.hotpot.api.cluster.RolloutRecord;

import java.io.PrintStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a rollout and prints each node's progress as it happens, one line per step, on the
 * command's own thread: the console's streams belong to that thread, not to the rollout's.
 *
 * <p>Ctrl-C (Karaf interrupts the command's thread) detaches the console from the rollout and
 * nothing more: the rollout is the cluster's, recorded in ZooKeeper, and its thread is never
 * interrupted from here, so no node is marked unreachable and no apply is cut short by a console.
 */
final class RolloutProgress {

    /** A rollout started with a listener. */
    interface Start {
        RolloutRecord run(RolloutListener listener) throws ClusterException;
    }

    private RolloutProgress() {
    }

    /**
     * Blocks until the rollout ends, or the calling thread is interrupted.
     *
     * @return the rollout as it ended; null if the console detached (interrupted) before its end
     * @throws ClusterException as the rollout threw it
     */
    static RolloutRecord follow(Start start, PrintStream out) throws Exception {
        BlockingQueue<NodeProgress> events = new LinkedBlockingQueue<>();
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hotpot-console-rollout");
            t.setDaemon(true);
            return t;
        });
        long began = System.nanoTime();
        try {
            Future<RolloutRecord> rollout = thread.submit(() -> start.run(events::add));
            while (!rollout.isDone() || !events.isEmpty()) {
                NodeProgress p = events.poll(100, TimeUnit.MILLISECONDS);
                if (p != null) {
                    out.printf("[%6.1f s] %-10s %-15s %s%n", (System.nanoTime() - began) / 1e9, p.nodeId(), p.step(),
                            p.detail().length() > 160 ? p.detail().substring(0, 160) + "..." : p.detail());
                    out.flush();
                }
            }
            try {
                return rollout.get();
            } catch (InterruptedException e) {
                throw e;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                throw e;
            }
        } catch (InterruptedException e) {
            out.println("Detached: the rollout goes on without this console; hot:status and hot:history follow it.");
            out.flush();
            Thread.currentThread().interrupt();
            return null;
        } finally {
            // Never shutdownNow(): that would interrupt the rollout itself.
            thread.shutdown();
        }
    }
}
