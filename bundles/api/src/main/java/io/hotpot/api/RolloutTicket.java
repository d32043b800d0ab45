package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the leader authorizes when it starts a rollout: exactly these bytes (digest and size), as
 * this bundle (symbolic name and version), for this rollout, in this place of the cluster's order
 * of decisions (sequence). A follower applies nothing that a {@link SignedRolloutTicket} over such a
 * ticket does not cover. Immutable and thread-safe.
 *
 * @param rolloutId the rollout's id, e.g. {@code r-20261121-142430-57ee}
 * @param sequence  the cluster-wide order of the decision, strictly increasing across leaders;
 *                  a follower refuses a ticket whose sequence is not newer than the last one it
 *                  accepted for the same symbolic name (a replay)
 * @param artifact  the bundle and its bytes
 * @param leaderId  the node that signed the ticket
 * @param rollback  whether the leader means to go back to an older version ({@code hot:rollback},
 *                  or a deliberate downgrade); a ticket to an older version without it is refused
 */
public record RolloutTicket(String rolloutId, long sequence, ArtifactDescriptor artifact, String leaderId,
                            boolean rollback) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * @throws NullPointerException     if a reference argument is null
     * @throws IllegalArgumentException if the sequence is not positive or an id is blank
     */
    public RolloutTicket {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(leaderId, "leaderId");
        if (rolloutId.isBlank() || leaderId.isBlank()) {
            throw new IllegalArgumentException("rolloutId and leaderId must not be blank");
        }
        if (sequence <= 0) {
            throw new IllegalArgumentException("sequence must be > 0: " + sequence);
        }
    }
}
