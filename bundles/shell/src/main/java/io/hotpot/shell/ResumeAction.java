package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code hot:resume}: lets a paused rollout go on with its next batch. */
@Command(scope = "hot", name = "resume", description = "Lets a paused rollout go on with its next batch")
@Service
public class ResumeAction extends RolloutControlAction {

    @Override
    RolloutRecord control() throws ClusterException {
        return cluster.resume(rolloutId);
    }

    @Override
    String effect() {
        return "goes on";
    }
}
