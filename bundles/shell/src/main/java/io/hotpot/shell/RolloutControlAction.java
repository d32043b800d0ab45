package io.hotpot.shell;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.RolloutRecord;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/**
 * Base of the commands that steer a running rollout ({@code hot:pause}, {@code hot:resume},
 * {@code hot:abort}): the rollout id, with completion, lives here once; the body is the control.
 */
abstract class RolloutControlAction implements Action {

    @Argument(index = 0, name = "rolloutId", required = true, description = "The id of a running rollout, as hot:status and hot:history show it")
    @Completion(RunningRolloutCompleter.class)
    String rolloutId;

    @Reference
    ClusterAdmin cluster;

    /** @return the rollout, once the control is recorded */
    abstract RolloutRecord control() throws ClusterException;

    /** @return what the control does, for the one line printed */
    abstract String effect();

    @Override
    public Object execute() throws Exception {
        RolloutRecord r = control();
        System.out.println(rolloutId + " (" + r.artifact().coordinates() + ", " + r.policy() + ", led by " + r.leader()
                + "): " + effect() + " at its next batch boundary; hot:status follows it");
        return null;
    }
}
