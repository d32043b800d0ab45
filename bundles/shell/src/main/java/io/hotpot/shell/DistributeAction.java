package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.Trigger;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:distribute}: rolls an artifact out to the cluster under a policy, prints each node's
 * progress as it happens, then one row per node and the verdict.
 */
@Command(scope = "hot", name = "distribute", description = "Distributes a bundle to every node of the cluster under a rollout policy and waits for each node's acknowledgement")
@Service
public class DistributeAction extends TargetAction {

    @Option(name = "-p", aliases = "--policy", description = "all (every node at once), rolling (batches, followers first, the leader last) or canary (one node, then the rest)")
    String policy = "all";

    @Option(name = "-b", aliases = "--batch", description = "Nodes per batch for the rolling policy")
    int batch = 1;

    @Option(name = "-c", aliases = "--canary", description = "The canary node for the canary policy; default: the first follower")
    String canary;

    @Option(name = "-v", aliases = "--verbose", description = "Also print each node's message (for a swap: where the pause went)")
    boolean verbose;

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() throws Exception {
        DistributionTarget t = resolveTarget();
        RolloutPolicy p = RolloutPolicy.of(policy, batch, canary);
        RolloutRecord result = RolloutProgress.follow(listener -> t.isBundle()
                ? cluster.distributeBundle(t.bundleId(), p, listener)
                : cluster.distribute(t.url(), Trigger.CONSOLE, p, listener), System.out);
        if (result == null) {
            return null;
        }
        RolloutTable.report(result, verbose, System.out);
        return null;
    }
}
