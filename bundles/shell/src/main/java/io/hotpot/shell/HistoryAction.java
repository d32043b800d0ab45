package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutResult;
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

/** {@code hot:history}: the rollouts this node led, newest first. */
@Command(scope = "hot", name = "history", description = "Lists the rollouts led by this node, newest first")
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
        ShellTable table = new ShellTable();
        table.column("Rollout");
        table.column("Started");
        table.column("Trigger");
        table.column("Bundle");
        table.column("Version");
        table.column("SHA-256");
        table.column("Nodes OK");
        table.column(new Col("Time (ms)").alignRight());
        table.column("Result");
        table.emptyTableText("no rollouts led by this node");
        for (RolloutResult r : cluster.history()) {
            if (symbolicName != null && !symbolicName.equals(r.artifact().symbolicName())) {
                continue;
            }
            long ok = r.reports().stream().filter(x -> x.outcome().succeeded()).count();
            table.addRow().addContent(r.rolloutId(), TIME.format(Instant.ofEpochMilli(r.startedAt())), r.trigger(),
                    r.artifact().symbolicName(), r.artifact().version(), Format.digest(r.artifact().sha256()),
                    ok + "/" + r.reports().size(), r.durationMs(), r.succeeded() ? "OK" : "FAILED");
        }
        table.print(System.out);
        if (verbose) {
            for (RolloutResult r : cluster.history()) {
                if (symbolicName == null || symbolicName.equals(r.artifact().symbolicName())) {
                    System.out.println();
                    System.out.println(r.rolloutId() + " (" + r.source() + ")");
                    RolloutTable.print(r, cluster.localNodeId(), System.out);
                    r.reports().stream().filter(x -> !x.outcome().succeeded())
                            .forEach(x -> System.out.println(x.nodeId() + ": " + x.outcome() + " in phase "
                                    + x.failedPhase() + ": " + x.message()));
                }
            }
        }
        return null;
    }
}
