package io.hotpot.shell;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.Col;
import org.apache.karaf.shell.support.table.ShellTable;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * {@code hot:history}: the cluster's rollouts as ZooKeeper keeps them, newest first, whichever
 * node led them: version change, policy, outcome, and with {@code -v} each node's progress.
 */
@Command(scope = "hot", name = "history", description = "Lists the cluster's rollouts, newest first, with the outcome per node")
@Service
public class HistoryAction implements Action {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Argument(index = 0, name = "symbolicName", required = false, description = "Only rollouts of this bundle")
    String symbolicName;

    @Option(name = "-v", aliases = "--verbose", description = "Also print each rollout's per-node table")
    boolean verbose;

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() {
        List<RolloutRecord> rollouts = cluster.rollouts().stream()
                .filter(r -> symbolicName == null || r.members().stream()
                        .anyMatch(m -> m.symbolicName().equals(symbolicName))).toList();
        ShellTable table = new ShellTable();
        table.column("Rollout");
        table.column("Started");
        table.column("Trigger");
        table.column("Policy");
        table.column("Bundle");
        table.column("Change");
        table.column("SHA-256");
        table.column("Leader");
        table.column("Nodes OK");
        table.column(new Col("Time (ms)").alignRight());
        table.column("Result");
        table.column("Per node");
        table.emptyTableText("no rollouts recorded in ZooKeeper");
        for (RolloutRecord r : rollouts) {
            long ok = r.nodes().stream().filter(n -> n.step() == NodeProgress.Step.APPLIED).count();
            table.addRow().addContent(r.rolloutId(), TIME.format(Instant.ofEpochMilli(r.startedAt())), r.trigger(),
                    r.policy(), r.members().stream().map(ArtifactDescriptor::symbolicName)
                            .collect(java.util.stream.Collectors.joining(" + ")), change(r),
                    Format.digest(r.artifact().sha256()), r.leader(), ok + "/" + r.nodes().size(), r.durationMs(),
                    r.succeeded() ? "OK" : r.status().name(), r.nodes().stream()
                            .map(n -> n.nodeId() + ":" + n.step()).collect(java.util.stream.Collectors.joining(" ")));
        }
        table.print(System.out);
        if (verbose) {
            for (RolloutRecord r : rollouts) {
                System.out.println();
                System.out.println(r.rolloutId() + " (" + r.source() + ")");
                RolloutTable.report(r, false, System.out);
            }
        }
        return null;
    }

    /** @return each member's version before and after: {@code 1.0.0 -> 1.1.0}, {@code - -> 2.0.0} for a new one, {@code -> removed} */
    private static String change(RolloutRecord r) {
        List<String> changes = new java.util.ArrayList<>();
        for (ArtifactDescriptor m : r.members()) {
            String before = r.previousMembers().stream().filter(p -> p.symbolicName().equals(m.symbolicName()))
                    .map(ArtifactDescriptor::version).findFirst().orElse("-");
            changes.add(r.removal() ? m.version() + " -> removed" : before + " -> " + m.version());
        }
        return String.join(", ", changes);
    }
}
