package io.hotpot.runtime.store;

import io.hotpot.api.ArtifactDescriptor;

import java.util.Objects;

/**
 * The last artifact Hotpot applied for one symbolic name on this node. Immutable.
 *
 * @param artifact  what was applied
 * @param rolloutId the rollout that applied it
 * @param appliedAt when, in milliseconds since the epoch
 */
public record AppliedArtifact(ArtifactDescriptor artifact, String rolloutId, long appliedAt) {

    /** @throws NullPointerException if artifact or rolloutId is null */
    public AppliedArtifact {
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(rolloutId, "rolloutId");
    }
}
