package io.hotpot.shell;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import org.apache.karaf.shell.support.table.Col;
import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;

/**
 * The per-node table of one rollout, shared by {@code hot:distribute}, {@code hot:undeploy},
 * {@code hot:rollback} and {@code hot:history -v}.
 */
final class RolloutTable {

    private RolloutTable() {
    }

    static void print(RolloutRecord rollout, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Node");
        table.column("Role");
        table.column("Step");
        table.column("Outcome");
        table.column("Version");
        table.column("Previous");
        table.column("State");
        table.column("SHA-256");
        table.column(new Col("State bytes").alignRight());
        table.column(new Col("Pause (ms)").alignRight());
        table.column(new Col("Held").alignRight());
        table.column(new Col("Time (ms)").alignRight());
        for (NodeProgress n : rollout.nodes()) {
            ApplyReport r = n.report();
            String role = n.nodeId().equals(rollout.leader()) ? "leader" : "follower";
            if (r == null) {
                table.addRow().addContent(n.nodeId(), role, n.step(), "-", "-", "-", "-", "-", "-", "-", "-", "-");
                continue;
            }
            table.addRow().addContent(n.nodeId(), role, n.step(), r.outcome(), Format.orDash(r.runningVersion()),
                    Format.orDash(r.previousVersion()), Format.orDash(r.bundleState()),
                    r.outcome().succeeded() ? Format.digest(r.artifact().sha256()) : "-",
                    r.stateBytes() < 0 ? "-" : Long.toString(r.stateBytes()),
                    r.pauseMicros() < 0 ? "-" : String.format("%.1f", r.pauseMicros() / 1000.0),
                    r.heldCalls() < 0 ? "-" : Integer.toString(r.heldCalls()), r.durationMs());
        }
        table.print(out);
    }

    /** The table, each node's reason where it did not apply (with verbose, every message), and the verdict. */
    static void report(RolloutRecord rollout, boolean verbose, PrintStream out) {
        print(rollout, out);
        for (NodeProgress n : rollout.nodes()) {
            if (n.step() != NodeProgress.Step.APPLIED || verbose) {
                ApplyReport r = n.report();
                out.println(n.nodeId() + ": " + n.step() + (r == null || r.outcome().succeeded() ? ""
                        : " (" + r.outcome() + " in phase " + r.failedPhase() + ")") + ": "
                        + (n.detail().isEmpty() && r != null ? r.message() : n.detail()));
            }
        }
        out.println(verdict(rollout));
    }

    static String verdict(RolloutRecord r) {
        long ok = r.nodes().stream().filter(n -> n.step() == NodeProgress.Step.APPLIED).count();
        String head = r.succeeded() ? "OK" : switch (r.status()) {
            case COMPLETED -> "INCOMPLETE";
            case ROLLED_BACK -> touchedNothing(r) ? "REFUSED" : "ROLLED BACK";
            default -> r.status().name();
        };
        return head + ": rollout " + r.rolloutId() + " of " + r.what() + (r.set() ? "" : " sha256 "
                + Format.digest(r.artifact().sha256())) + " (" + r.policy() + "): " + ok + "/" + r.nodes().size()
                + (r.removal() ? " nodes removed it, " : " nodes run it, ") + r.durationMs() + " ms"
                + (r.message().isEmpty() ? "" : (r.status() == RolloutStatus.COMPLETED ? "; " : "; halted: ")
                + shortened(r.message()));
    }

    /**
     * Whether the rollout halted before any node changed anything: every node refused the bytes
     * (REJECTED: it says nothing changed there) or was skipped. A node that failed after applying,
     * or that could not be reached, may have been touched.
     */
    static boolean touchedNothing(RolloutRecord r) {
        return r.nodes().stream().allMatch(n -> switch (n.step()) {
            case PENDING, STAGED, SKIPPED -> true;
            case FAILED -> n.report() != null && n.report().outcome() == io.hotpot.api.ApplyOutcome.REJECTED;
            default -> false;
        });
    }

    /** The verdict stays one readable line; each node's reason is printed above it. */
    private static String shortened(String message) {
        return message.length() <= 200 ? message : message.substring(0, 197) + "...";
    }
}
