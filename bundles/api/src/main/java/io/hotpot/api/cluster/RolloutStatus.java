package io.hotpot.api.cluster;

/** Where a rollout stands, as recorded in ZooKeeper. */
public enum RolloutStatus {
    /** In progress; a new leader finishes it if the leader that started it dies. */
    RUNNING,
    /**
     * Every reachable node runs the artifact; nodes that could not be reached converge to it when
     * they come back.
     */
    COMPLETED,
    /**
     * A node failed (or failed its health gate): the rollout halted, every node it had updated went
     * back to the previous version with its state, and the desired state is the previous one again.
     */
    ROLLED_BACK,
    /** It halted, and going back failed on some node too: an operator must look (see the messages). */
    FAILED;

    /** @return true once the rollout will not change any more */
    public boolean finished() {
        return this != RUNNING;
    }
}
