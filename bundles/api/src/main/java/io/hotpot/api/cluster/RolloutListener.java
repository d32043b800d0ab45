package io.hotpot.api.cluster;

/**
 * Told of each node's progress while a rollout runs, on the rollout's threads: implementations must
 * be thread-safe and return quickly.
 */
@FunctionalInterface
public interface RolloutListener {

    /** Ignores every event. */
    RolloutListener NONE = p -> { };

    /** @param progress a node reached a step */
    void progressed(NodeProgress progress);
}
