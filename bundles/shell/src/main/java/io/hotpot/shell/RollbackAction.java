package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:rollback}: returns the whole cluster to an earlier version of a bundle that the leader
 * kept, through each node's downgrade path, and prints one row per node.
 */
@Command(scope = "hot", name = "rollback", description = "Rolls the cluster back to an earlier, kept version of a bundle")
@Service
public class RollbackAction implements Action {

    @Argument(index = 0, name = "symbolicName", required = true, description = "The bundle symbolic name")
    @Completion(BundleCompleter.class)
    String symbolicName;

    @Argument(index = 1, name = "version", required = false,
            description = "The version to return to; default: the one that ran before the current one")
    String version;

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() throws Exception {
        RolloutRecord result = RolloutProgress.follow(listener -> cluster.rollback(symbolicName, version, listener),
                System.out);
        if (result == null) {
            return null;
        }
        RolloutTable.report(result, false, System.out);
        return null;
    }
}
