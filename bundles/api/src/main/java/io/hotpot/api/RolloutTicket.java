package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the leader authorizes when it starts a rollout: exactly these bytes (digest and size), as
 * this bundle (symbolic name and version), for this rollout, in this place of the cluster's order
 * of decisions (sequence); and whether the node is to run them or to remove the bundle
 * ({@link Action}). A follower applies nothing that a {@link SignedRolloutTicket} over such a
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
 * @param action    {@link Action#RUN} to run the artifact, {@link Action#REMOVE} to uninstall the
 *                  bundle of that symbolic name from the node ({@code hot:undeploy})
 * @param setSize   how many artifacts the rollout applies together, as one set, this one included:
 *                  1 for a rollout of one bundle. The members of a set have the same rollout id and
 *                  sequence and distinct symbolic names; a node applies a member only together with
 *                  all the others ({@code FollowerService.applyStoredSet}), never alone
 */
public record RolloutTicket(String rolloutId, long sequence, ArtifactDescriptor artifact, String leaderId,
                            boolean rollback, Action action, int setSize) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * What a node does with the ticket's artifact.
     *
     * @since 0.3
     */
    public enum Action {
        /** Install or update the bundle to exactly these bytes, and run them. */
        RUN,
        /**
         * Uninstall the bundle of this symbolic name (OSGi Core R8, 4.4.9 Uninstalling Bundles) and
         * refresh, so that nothing of it stays removal-pending; the artifact names the version the
         * cluster ran, whose bytes stay kept for {@code hot:rollback}.
         */
        REMOVE
    }

    /**
     * A ticket to run the artifact ({@link Action#RUN}).
     *
     * @throws NullPointerException     if a reference argument is null
     * @throws IllegalArgumentException if the sequence is not positive or an id is blank
     */
    public RolloutTicket(String rolloutId, long sequence, ArtifactDescriptor artifact, String leaderId,
                         boolean rollback) {
        this(rolloutId, sequence, artifact, leaderId, rollback, Action.RUN, 1);
    }

    /**
     * A ticket of a rollout of one bundle.
     *
     * @throws NullPointerException     if a reference argument is null
     * @throws IllegalArgumentException if the sequence is not positive or an id is blank
     */
    public RolloutTicket(String rolloutId, long sequence, ArtifactDescriptor artifact, String leaderId,
                         boolean rollback, Action action) {
        this(rolloutId, sequence, artifact, leaderId, rollback, action, 1);
    }

    /**
     * @throws NullPointerException     if a reference argument is null
     * @throws IllegalArgumentException if the sequence is not positive, an id is blank, or setSize is below 1
     */
    public RolloutTicket {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(leaderId, "leaderId");
        Objects.requireNonNull(action, "action");
        if (rolloutId.isBlank() || leaderId.isBlank()) {
            throw new IllegalArgumentException("rolloutId and leaderId must not be blank");
        }
        if (sequence <= 0) {
            throw new IllegalArgumentException("sequence must be > 0: " + sequence);
        }
        if (setSize < 1) {
            throw new IllegalArgumentException("setSize must be >= 1: " + setSize);
        }
    }

    /** @return whether this ticket removes the bundle from the node rather than running the artifact */
    public boolean removal() {
        return action == Action.REMOVE;
    }

    /** @return whether this ticket is one member of a set, applied only together with the others */
    public boolean member() {
        return setSize > 1;
    }
}
