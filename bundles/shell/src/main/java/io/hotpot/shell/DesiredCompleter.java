package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes the symbolic names the cluster's desired state names: what Hotpot distributed and still runs. */
@Service
public class DesiredCompleter implements Completer {

    @Reference
    ClusterAdmin cluster;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(cluster.desired().keySet()).complete(session, commandLine, candidates);
    }
}
