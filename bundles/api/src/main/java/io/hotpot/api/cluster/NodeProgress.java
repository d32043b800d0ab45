package io.hotpot.api.cluster;

import io.hotpot.api.ApplyReport;

import java.io.Serializable;
import java.util.Objects;

/**
 * One node's place in one rollout, as recorded in ZooKeeper while the rollout runs. Immutable and
 * thread-safe.
 *
 * @param nodeId the node
 * @param step   how far it got
 * @param report its last apply report in this rollout (of the new artifact, or of the previous one
 *               when it was rolled back), or {@code null} before it applied anything
 * @param detail a human-readable note naming the node and cause; never null (may be empty)
 * @param at     when this step was reached, in milliseconds since the epoch
 */
public record NodeProgress(String nodeId, Step step, ApplyReport report, String detail, long at)
        implements Serializable {

    /** The steps of a node in a rollout, in order. */
    public enum Step {
        /** Part of the rollout, not yet reached. */
        PENDING,
        /** Holds the verified bytes; its bundles are untouched. */
        STAGED,
        /** Applying now (its calls to the bundle are held during the swap). */
        APPLYING,
        /** Runs the new artifact and passed its health gate. */
        APPLIED,
        /** Could not be reached; converges to the desired state when it comes back. */
        UNREACHABLE,
        /** Applied and failed; the node itself went back to its old bytes and state. */
        FAILED,
        /** Never touched: the rollout halted before its batch. */
        SKIPPED,
        /** Had applied, then went back to the previous version with its state when the rollout halted. */
        ROLLED_BACK,
        /** Had applied, and going back failed: needs an operator. */
        ROLLBACK_FAILED
    }

    /** @throws NullPointerException if nodeId, step or detail is null */
    public NodeProgress {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(detail, "detail");
    }
}
