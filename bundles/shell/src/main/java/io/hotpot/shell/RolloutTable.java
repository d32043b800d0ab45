package io.hotpot.shell;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.cluster.RolloutResult;
import org.apache.karaf.shell.support.table.Col;
import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;

/** The per-node table of one rollout, shared by {@code hot:distribute} and {@code hot:history -v}. */
final class RolloutTable {

    private RolloutTable() {
    }

    static void print(RolloutResult result, String leaderId, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Node");
        table.column("Role");
        table.column("Outcome");
        table.column("Version");
        table.column("Previous");
        table.column("State");
        table.column("SHA-256");
        table.column(new Col("State bytes").alignRight());
        table.column(new Col("Pause (ms)").alignRight());
        table.column(new Col("Held").alignRight());
        table.column(new Col("Time (ms)").alignRight());
        for (ApplyReport r : result.reports()) {
            table.addRow().addContent(r.nodeId(), r.nodeId().equals(leaderId) ? "leader" : "follower",
                    r.outcome(), Format.orDash(r.runningVersion()), Format.orDash(r.previousVersion()),
                    Format.orDash(r.bundleState()), r.outcome().succeeded() ? Format.digest(r.artifact().sha256()) : "-",
                    r.stateBytes() < 0 ? "-" : Long.toString(r.stateBytes()),
                    r.pauseMicros() < 0 ? "-" : String.format("%.1f", r.pauseMicros() / 1000.0),
                    r.heldCalls() < 0 ? "-" : Integer.toString(r.heldCalls()), r.durationMs());
        }
        table.print(out);
    }

    /** The table, each failed node's reason (with verbose, every node's message), and the verdict. */
    static void report(RolloutResult result, String leaderId, boolean verbose, PrintStream out) {
        print(result, leaderId, out);
        for (ApplyReport r : result.reports()) {
            if (!r.outcome().succeeded()) {
                out.println(r.nodeId() + ": " + r.outcome() + " in phase " + r.failedPhase() + ": " + r.message());
            } else if (verbose) {
                out.println(r.nodeId() + ": " + r.message());
            }
        }
        out.println(verdict(result));
    }

    static String verdict(RolloutResult result) {
        long ok = result.reports().stream().filter(r -> r.outcome().succeeded()).count();
        return (result.succeeded() ? "OK" : "FAILED") + ": rollout " + result.rolloutId() + " of "
                + result.artifact().coordinates() + " sha256 " + Format.digest(result.artifact().sha256())
                + ": " + ok + "/" + result.reports().size() + " nodes run it, " + result.durationMs() + " ms";
    }
}
