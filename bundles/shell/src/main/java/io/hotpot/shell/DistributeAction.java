package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.Trigger;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:distribute}: rolls an artifact out to the cluster under a policy, prints each node's
 * progress as it happens, then one row per node and the verdict.
 */
@Command(scope = "hot", name = "distribute", description = "Distributes a bundle to every node of the cluster under a rollout policy and waits for each node's acknowledgement")
@Service
public class DistributeAction extends TargetAction {

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() throws Exception {
        DistributionTarget t = resolveTarget();
        if (dryRun) {
            PreviewTable.report(t.isBundle() ? cluster.previewBundle(t.bundleId()) : cluster.preview(t.url()), System.out);
            return null;
        }
        RolloutPolicy p = rolloutPolicy();
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
