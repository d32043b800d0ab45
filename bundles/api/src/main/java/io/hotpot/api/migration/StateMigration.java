package io.hotpot.api.migration;

/**
 * Registered as an OSGi service by a bundle that wants its running state carried across a Hotpot
 * update. Hotpot matches the service to the bundle that registered it; register at most one per
 * bundle.
 *
 * <h2>Order of calls</h2>
 * For an update from version A to version B of the same bundle, on one node:
 * <ol>
 *   <li>A: {@link #quiesce()} &mdash; stop background work that mutates the state;</li>
 *   <li>A: {@link #exportState()} &mdash; the snapshot is written to the node's data folder;</li>
 *   <li>{@code Bundle.update}, {@code FrameworkWiring.refreshBundles}, {@code Bundle.start}: A's
 *       components are deactivated, B's activated;</li>
 *   <li>B: {@link #importState(StateSnapshot)} with A's snapshot, as soon as B registers this service;</li>
 *   <li>B: {@link #resume()}.</li>
 * </ol>
 * If any step after 2 fails, Hotpot reinstalls A's bytes and calls A's {@code importState} with
 * A's own snapshot, then A's {@code resume()}. A downgrade (B to A) is the same sequence with the
 * roles swapped: A's {@code importState} then receives a snapshot with a newer
 * {@link StateSnapshot#schemaVersion()} and must convert it or throw.
 *
 * <h2>Threads and timeouts</h2>
 * All calls come from one thread per node, {@code hotpot-migration}, never concurrently with each
 * other. While they run, the bundle's call gate is closed: calls to the bundle's gated services
 * from other bundles wait, so {@code exportState} sees no concurrent writer coming through them
 * (the bundle's own threads are its business: stop them in {@code quiesce}). Each call is bounded
 * by {@code migration.timeout.ms} of PID {@code io.hotpot.node} (default 30,000 ms); a call that does
 * not return in time is interrupted and counts as having thrown. Everything runs inside the pause,
 * so keep these calls short: the snapshot of 10,000 small entries takes a few milliseconds.
 *
 * <h2>Errors</h2>
 * An exception from {@code quiesce} or {@code exportState} aborts the update before the bundle is
 * touched, and {@code resume()} is called on A. An exception from {@code importState} on B rolls
 * the node back to A with A's state. The leader receives a report naming the node and the phase.
 *
 * <p>Implementations must be thread-safe with respect to the bundle's own service calls.
 */
public interface StateMigration {

    /**
     * @return the schema version of the state this bundle version exports, {@code >= 0}
     */
    int schemaVersion();

    /**
     * Stops background work that changes the state. Called before {@link #exportState()}.
     * The default does nothing.
     *
     * @throws Exception if the bundle cannot quiesce; the update is aborted
     */
    default void quiesce() throws Exception {
    }

    /**
     * Serializes the current state. Must not return objects of the bundle's own classes: only the
     * bytes in the returned snapshot cross to the other version.
     *
     * @return the snapshot, with {@link StateSnapshot#schemaVersion()} equal to {@link #schemaVersion()}
     * @throws Exception if the state cannot be exported; the update is aborted, nothing changed
     */
    StateSnapshot exportState() throws Exception;

    /**
     * Replaces the current state with the given snapshot, converting it from
     * {@code snapshot.schemaVersion()} (exported by bundle version {@code snapshot.bundleVersion()}).
     *
     * @param snapshot state exported by this bundle's previous (upgrade) or later (downgrade) version
     * @throws Exception if the snapshot cannot be converted; the node rolls back
     */
    void importState(StateSnapshot snapshot) throws Exception;

    /**
     * Restarts background work stopped by {@link #quiesce()}. Called after a successful import, or
     * on the old version after an aborted export. The default does nothing.
     */
    default void resume() {
    }
}
