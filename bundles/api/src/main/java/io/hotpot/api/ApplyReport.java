package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * A node's acknowledgement of one artifact: what it ran before, what it runs now, and how long it
 * took. Immutable and thread-safe.
 *
 * @param nodeId          the node that applied (or refused) the artifact
 * @param artifact        the artifact that was requested
 * @param outcome         how the apply ended
 * @param previousVersion the version that ran before, or {@code null} if the bundle was not installed
 * @param runningVersion  the version that runs now, or {@code null} if none does
 * @param bundleState     the bundle's state now ({@code ACTIVE}, {@code RESOLVED}, ...), or
 *                        {@code null} if not installed
 * @param failedPhase     where it failed, or {@code null} when {@link ApplyOutcome#succeeded()}
 * @param message         a human-readable explanation naming the artifact, node and cause; never null
 * @param stateBytes      the size in bytes of the state snapshot carried across, {@code -1} if the
 *                        bundle registers no migration service
 * @param pauseMicros     how long the bundle's call gate was closed (calls to its services held),
 *                        in microseconds; {@code -1} when no swap happened
 * @param heldCalls       how many calls to the bundle's services were waiting at the gate when it
 *                        opened; {@code -1} when no swap happened
 * @param durationMs      wall-clock time of the apply on the node, in milliseconds
 */
public record ApplyReport(String nodeId, ArtifactDescriptor artifact, ApplyOutcome outcome,
                          String previousVersion, String runningVersion, String bundleState,
                          ApplyPhase failedPhase, String message, long stateBytes, long pauseMicros,
                          int heldCalls, long durationMs)
        implements Serializable {

    /** @throws NullPointerException if nodeId, artifact, outcome or message is null */
    public ApplyReport {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
    }

    /**
     * A report for a node that could not be reached or answered with an exception.
     *
     * @param nodeId   the node
     * @param artifact the artifact that was being sent
     * @param phase    where the conversation broke
     * @param message  what went wrong
     * @param durationMs time spent before giving up, in milliseconds
     * @return a {@link ApplyOutcome#FAILED} report with unknown versions
     */
    public static ApplyReport unreachable(String nodeId, ArtifactDescriptor artifact, ApplyPhase phase,
                                          String message, long durationMs) {
        return new ApplyReport(nodeId, artifact, ApplyOutcome.FAILED, null, null, null, phase,
                message, -1, -1, -1, durationMs);
    }
}
