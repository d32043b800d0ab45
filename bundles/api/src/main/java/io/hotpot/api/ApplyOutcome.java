package io.hotpot.api;

/** How an apply ended on one node. */
public enum ApplyOutcome {
    /** The bundle was not installed on the node; it now is, and ACTIVE. */
    INSTALLED,
    /** The bundle was updated and refreshed, is ACTIVE, and its state (if any) was imported. */
    UPDATED,
    /** The node already ran these exact bytes (same digest); nothing was touched. */
    UNCHANGED,
    /** The artifact was refused before any bundle was touched (bad digest, not a bundle, ...). */
    REJECTED,
    /** The update failed after the bundle was touched; the old bytes and old state were restored. */
    ROLLED_BACK,
    /** The update failed and so did the rollback: the node needs an operator. */
    FAILED,
    /**
     * A removal ticket ({@link RolloutTicket.Action#REMOVE}): the bundle was uninstalled and
     * refreshed away, or was not installed; the node no longer runs it.
     *
     * @since 0.3
     */
    REMOVED;

    /** @return true if the node now is as the ticket says: runs the requested artifact, or no longer has it */
    public boolean succeeded() {
        return this == INSTALLED || this == UPDATED || this == UNCHANGED || this == REMOVED;
    }
}
