package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.NodeView;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code hot:nodes}: the cluster's members, their roles, endpoints and when they last answered. */
@Command(scope = "hot", name = "nodes", description = "Lists the cluster's nodes, the leader, and when each last answered")
@Service
public class NodesAction implements Action {

    @Reference
    ClusterAdmin cluster;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Node");
        table.column("Role");
        table.column("Here");
        table.column("Last seen");
        table.column("Managed bundles");
        table.column("Endpoint");
        table.column("Problem");
        for (NodeView n : cluster.nodes()) {
            table.addRow().addContent(n.nodeId(), n.leader() ? "leader" : "follower", n.local() ? "*" : "",
                    n.local() ? "now" : Format.ago(n.lastSeenMs()),
                    n.status() == null ? "-" : Integer.toString(n.status().bundles().size()),
                    Format.orDash(n.endpoint()), Format.orDash(n.error()));
        }
        table.print(System.out);
        System.out.println("Leader: " + cluster.leaderId().orElse("none (ZooKeeper unreachable?)"));
        return null;
    }
}
