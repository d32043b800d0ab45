package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes the ids of the rollouts ZooKeeper records as running. */
@Service
public class RunningRolloutCompleter implements Completer {

    @Reference
    ClusterAdmin cluster;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(cluster.rollouts().stream().filter(r -> !r.status().finished())
                .map(RolloutRecord::rolloutId).toList()).complete(session, commandLine, candidates);
    }
}
