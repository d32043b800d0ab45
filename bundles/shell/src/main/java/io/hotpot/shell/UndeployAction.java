package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:undeploy}: removes a bundle Hotpot distributed from every node of the cluster (the
 * desired state becomes "absent"), with each node's acknowledgement, and prints one row per node.
 * Unlike Karaf's {@code bundle:uninstall}, which acts on one node and which Hotpot's convergence
 * undoes there, this is a decision of the cluster.
 */
@Command(scope = "hot", name = "undeploy", description = "Removes a distributed bundle from every node of the cluster (hot:rollback installs it again)")
@Service
public class UndeployAction extends RolloutAction {

    @Argument(index = 0, name = "symbolicName", required = true,
            description = "The symbolic name of a bundle Hotpot distributed, as hot:status -d names it")
    @Completion(DesiredCompleter.class)
    String symbolicName;

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() throws Exception {
        if (dryRun) {
            PreviewTable.report(cluster.previewUndeploy(symbolicName), System.out);
            return null;
        }
        RolloutRecord result = RolloutProgress.follow(listener -> cluster.undeploy(symbolicName, rolloutPolicy(), listener),
                System.out);
        if (result == null) {
            return null;
        }
        RolloutTable.report(result, verbose, System.out);
        return null;
    }
}
