package io.hotpot.shell;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.BundleStatus;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.NodeView;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.ansi.SimpleAnsi;
import org.apache.karaf.shell.support.table.ShellTable;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hot:status}: every node's Hotpot-managed bundles, with the symbolic name, version, state
 * and SHA-256 digest, compared with the desired state the cluster recorded in ZooKeeper.
 */
@Command(scope = "hot", name = "status", description = "Shows the managed bundles of every node: actual versus desired")
@Service
public class StatusAction implements Action {

    @Argument(index = 0, name = "symbolicName", required = false, description = "Only this bundle symbolic name")
    String symbolicName;

    @Option(name = "-d", aliases = "--digests", description = "Print full SHA-256 digests instead of their first 12 characters")
    boolean fullDigests;

    @Option(name = "-w", aliases = "--watch", description = "Follow until every node runs the desired state and no rollout runs; fail if a rollout ends halted, or on --timeout")
    boolean watch;

    @Option(name = "-t", aliases = "--timeout", description = "With --watch: give up after this many seconds, with an error (default 300)")
    long timeoutSeconds = 300;

    @Reference
    ClusterAdmin cluster;

    /** The cluster as one look saw it: the table, the differences from the desired state, the rollouts running. */
    private record View(ShellTable table, List<String> differences, List<RolloutRecord> running) {

        boolean settled() {
            return differences.isEmpty() && running.isEmpty();
        }

        String summary() {
            return differences.isEmpty() ? "every node runs the desired state"
                    : differences.size() + " DIFFERENCE(S) from the desired state: " + String.join("; ", differences);
        }
    }

    @Override
    public Object execute() throws Exception {
        View view = look();
        view.table().print(System.out);
        // The table's cells stay plain text for scripts; the verdict line is the highlighted one.
        System.out.println(view.differences().isEmpty() ? view.summary()
                : SimpleAnsi.COLOR_RED + SimpleAnsi.INTENSITY_BOLD + view.summary() + SimpleAnsi.INTENSITY_NORMAL
                        + SimpleAnsi.COLOR_DEFAULT);
        for (RolloutRecord r : view.running()) {
            System.out.println();
            System.out.println("IN PROGRESS: rollout " + r.rolloutId() + " of " + r.what()
                    + " (" + r.policy() + "), led by " + r.leader() + ", running for " + r.durationMs() + " ms"
                    + (r.message().isEmpty() ? "" : ": " + r.message()));
            RolloutTable.print(r, System.out);
        }
        if (watch) {
            follow(view);
        }
        return null;
    }

    /**
     * Looks again every second, printing a line when what it sees changes, until the cluster
     * settles (as {@code kubectl rollout status} does).
     *
     * @throws IllegalStateException if a rollout seen running ends halted, or the timeout passes
     *                               first: the command then fails (a non-zero exit over SSH)
     */
    private void follow(View first) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(timeoutSeconds);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        View view = first;
        String last = "";
        while (true) {
            view.running().forEach(r -> seen.add(r.rolloutId()));
            for (RolloutRecord r : cluster.rollouts()) {
                if (seen.contains(r.rolloutId()) && r.status().finished() && !r.succeeded()) {
                    throw new IllegalStateException("rollout " + r.rolloutId() + " of " + r.artifact().coordinates()
                            + " ended " + r.status() + ": " + r.message());
                }
            }
            String line = view.summary() + view.running().stream().map(r -> "; rollout " + r.rolloutId() + " "
                    + r.nodes().stream().map(n -> n.nodeId() + ":" + n.step()).collect(java.util.stream.Collectors.joining(" "))
                    + (r.message().startsWith("PAUSED") ? " PAUSED" : "")).collect(java.util.stream.Collectors.joining());
            if (!line.equals(last)) {
                System.out.println("[watch] " + line);
                last = line;
            }
            if (view.settled()) {
                System.out.println("SETTLED: every node runs the desired state and no rollout runs");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not settled within --timeout " + timeoutSeconds + " s: " + line);
            }
            Thread.sleep(1_000);
            view = look();
        }
    }

    private View look() {
        List<NodeView> nodes = cluster.nodes();
        Map<String, ArtifactDescriptor> reference = cluster.desired();
        java.util.Set<String> removed = cluster.undeployed();
        ShellTable table = new ShellTable();
        table.column("Node");
        table.column("Role");
        table.column("Bundle");
        table.column("Version");
        table.column("State");
        table.column("SHA-256");
        table.column("Desired");
        table.emptyTableText("no managed bundles");
        List<String> differences = new java.util.ArrayList<>();
        for (NodeView n : nodes) {
            String role = n.leader() ? "leader" : "follower";
            if (n.status() == null) {
                table.addRow().addContent(n.nodeId(), role, "-", "-", "-", "-", "unreachable: " + n.error());
                differences.add(n.nodeId() + " unreachable");
                continue;
            }
            Map<String, BundleStatus> own = new HashMap<>();
            n.status().bundles().forEach(b -> own.put(b.symbolicName(), b));
            for (BundleStatus b : n.status().bundles()) {
                if (symbolicName == null || symbolicName.equals(b.symbolicName())) {
                    String verdict = removed.contains(b.symbolicName()) ? "DIFFERS: wants it removed (hot:undeploy)"
                            : compare(b, Optional.ofNullable(reference.get(b.symbolicName())));
                    table.addRow().addContent(n.nodeId(), role, b.symbolicName(), b.version(), b.state(),
                            fullDigests ? Format.orDash(b.sha256()) : Format.digest(b.sha256()), verdict);
                    if (verdict.startsWith("DIFFERS")) {
                        differences.add(n.nodeId() + " " + b.symbolicName() + " " + verdict.toLowerCase());
                    }
                }
            }
            reference.keySet().stream().filter(bsn -> !own.containsKey(bsn))
                    .filter(bsn -> symbolicName == null || symbolicName.equals(bsn)).sorted()
                    .forEach(bsn -> {
                        table.addRow().addContent(n.nodeId(), role, bsn, "-", "-", "-",
                                "MISSING: wants " + reference.get(bsn).version());
                        differences.add(n.nodeId() + " " + bsn + " missing");
                    });
        }
        List<RolloutRecord> running = cluster.rollouts().stream().filter(r -> !r.status().finished()
                && (symbolicName == null || r.members().stream().anyMatch(m -> m.symbolicName().equals(symbolicName))))
                .toList();
        return new View(table, differences, running);
    }

    private static String compare(BundleStatus b, Optional<ArtifactDescriptor> desired) {
        if (desired.isEmpty()) {
            return "unknown";
        }
        if (!desired.get().version().equals(b.version())) {
            return "DIFFERS: wants " + desired.get().version();
        }
        if (b.sha256() == null || !b.sha256().equals(desired.get().sha256())) {
            return "DIFFERS: wants sha256 " + Format.digest(desired.get().sha256());
        }
        return "=";
    }
}
