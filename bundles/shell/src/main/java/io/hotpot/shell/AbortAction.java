package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code hot:abort}: stops a running or paused rollout before its next batch and returns every
 * node it already updated to the previous version, as a failed health gate does.
 */
@Command(scope = "hot", name = "abort", description = "Stops a running or paused rollout before its next batch and returns the nodes it updated to the previous version")
@Service
public class AbortAction extends RolloutControlAction {

    @Override
    RolloutRecord control() throws ClusterException {
        return cluster.abort(rolloutId);
    }

    @Override
    String effect() {
        return "aborted, the nodes it updated return to the previous version";
    }
}
