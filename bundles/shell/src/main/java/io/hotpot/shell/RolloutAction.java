package io.hotpot.shell;

import io.hotpot.api.cluster.RolloutPolicy;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;

/**
 * Base of the commands that start a rollout under a policy ({@code hot:distribute},
 * {@code hot:undeploy}): the policy options and {@code --dry-run} live here, once, so that every
 * rollout is steered, and previewed, the same way.
 */
abstract class RolloutAction implements Action {

    @Option(name = "-p", aliases = "--policy", description = "all (every node at once), rolling (batches, followers first, the leader last) or canary (one node, then the rest)")
    String policy = "all";

    @Option(name = "-b", aliases = "--batch", description = "Nodes per batch for the rolling policy")
    int batch = 1;

    @Option(name = "-c", aliases = "--canary", description = "The canary node for the canary policy; default: the first follower")
    String canary;

    @Option(name = "-n", aliases = "--dry-run", description = "Only show, per node, what the rollout would do (install, update, refresh, gate, remove, or refuse and why); change nothing")
    boolean dryRun;

    @Option(name = "-v", aliases = "--verbose", description = "Also print each node's message (for a swap: where the pause went)")
    boolean verbose;

    /**
     * @return the policy the options name
     * @throws IllegalArgumentException naming the option when it is not a policy
     */
    RolloutPolicy rolloutPolicy() {
        return RolloutPolicy.of(policy, batch, canary);
    }
}
