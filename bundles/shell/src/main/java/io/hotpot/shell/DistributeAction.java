package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.Trigger;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

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
        List<DistributionTarget> all = resolveTargets();
        if (all.size() > 1) {
            return distributeSet(all);
        }
        DistributionTarget t = all.get(0);
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

    /** Several targets: one rollout of them all, applied on each node as one unit. */
    private Object distributeSet(List<DistributionTarget> all) throws Exception {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).isBundle()) {
                throw new IllegalArgumentException("'" + targets.get(i) + "' names an installed bundle; the members of "
                        + "a set are jars or URLs (mvn:, file:, http:)");
            }
        }
        if (dryRun) {
            throw new IllegalArgumentException("--dry-run of a set is not supported yet: dry-run each member, or "
                    + "distribute the set and let staging refuse it before anything is applied");
        }
        RolloutPolicy p = rolloutPolicy();
        List<String> urls = all.stream().map(DistributionTarget::url).toList();
        RolloutRecord result = RolloutProgress.follow(listener -> cluster.distributeSet(urls, Trigger.CONSOLE, p, listener),
                System.out);
        if (result != null) {
            RolloutTable.report(result, verbose, System.out);
        }
        return null;
    }
}
