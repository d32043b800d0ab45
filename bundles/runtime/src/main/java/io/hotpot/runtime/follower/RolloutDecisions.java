package io.hotpot.runtime.follower;

import io.hotpot.api.RolloutTicket;

import java.util.Optional;

/**
 * What the cluster decided, as its own records say, not as one node's history does: a signed
 * ticket is applied through {@link FollowerEndpoint#applyStored} only while the cluster runs its
 * rollout (issue 11 item 1). Otherwise a node that a halted rollout skipped, or a node with an
 * empty replay record (new, or wiped), would run whatever validly signed ticket it is handed,
 * including versions the cluster rejected. Implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface RolloutDecisions {

    /**
     * Blocks for at most a ZooKeeper round trip or two.
     *
     * @param ticket a ticket whose signature verified
     * @return why the cluster does not stand behind it now (its rollout is not running, is of
     *         another artifact, or cannot be read), naming the rollout; empty if it does
     */
    Optional<String> refusal(RolloutTicket ticket);
}
