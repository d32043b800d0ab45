package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutResult;
import io.hotpot.api.cluster.Trigger;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:distribute}: applies an artifact on the leader, pushes it to every follower, waits
 * for every acknowledgement and prints one row per node.
 */
@Command(scope = "hot", name = "distribute", description = "Distributes a bundle to every node of the cluster and waits for each node's acknowledgement")
@Service
public class DistributeAction extends TargetAction {

    @Option(name = "-v", aliases = "--verbose", description = "Also print each node's message (for a swap: where the pause went)")
    boolean verbose;

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() throws Exception {
        DistributionTarget t = resolveTarget();
        RolloutResult result = t.isBundle() ? cluster.distributeBundle(t.bundleId())
                : cluster.distribute(t.url(), Trigger.CONSOLE);
        RolloutTable.report(result, cluster.localNodeId(), verbose, System.out);
        return null;
    }
}
