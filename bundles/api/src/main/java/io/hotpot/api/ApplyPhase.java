package io.hotpot.api;

/**
 * The steps of the apply pipeline on a node, in order. A failed {@link ApplyReport} names the
 * phase in which the failure happened.
 */
public enum ApplyPhase {
    /** Receiving chunks from the leader. */
    TRANSFER,
    /** Checking size, SHA-256 digest and the manifest against the descriptor. */
    VERIFY,
    /** Saving the old bytes and exporting the old version's state to the node's data folder. */
    EXPORT,
    /** {@code Bundle.update} or {@code BundleContext.installBundle} (OSGi Core R8, Life Cycle Layer). */
    UPDATE,
    /** {@code FrameworkWiring.refreshBundles} and resolution (OSGi Core R8, Bundle Wiring API). */
    RESOLVE,
    /** {@code Bundle.start}: the activator and the bundle's components. */
    START,
    /** Waiting for the new version's migration service and importing the state into it. */
    IMPORT,
    /**
     * The health gate, with calls still held: the new revision is ACTIVE, its state imported, and
     * every {@link io.hotpot.api.health.HealthCheck} it registered answered healthy in time.
     */
    HEALTH,
    /** Restoring the old bytes and state after a failure. */
    ROLLBACK,
    /** Reaching the node at all (the leader could not call it). */
    CONNECT
}
