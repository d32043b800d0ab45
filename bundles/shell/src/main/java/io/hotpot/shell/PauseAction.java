package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code hot:pause}: holds a running rollout before its next batch, until {@code hot:resume}; kept in ZooKeeper. */
@Command(scope = "hot", name = "pause", description = "Holds a running rollout before its next batch until hot:resume (kept in ZooKeeper, across leaders)")
@Service
public class PauseAction extends RolloutControlAction {

    @Override
    RolloutRecord control() throws ClusterException {
        return cluster.pause(rolloutId);
    }

    @Override
    String effect() {
        return "paused";
    }
}
