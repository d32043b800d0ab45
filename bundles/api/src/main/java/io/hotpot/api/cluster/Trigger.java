package io.hotpot.api.cluster;

/** What started a rollout. */
public enum Trigger {
    /** The {@code hot:distribute} console command. */
    CONSOLE,
    /** A jar dropped into, or replaced in, the leader's {@code deploy/} folder. */
    DEPLOY,
    /** The {@code hot:rollback} console command: an earlier version the leader kept. */
    ROLLBACK,
    /**
     * The {@code hot:undeploy} console command: the bundle is removed from every node.
     *
     * @since 0.2
     */
    UNDEPLOY
}
