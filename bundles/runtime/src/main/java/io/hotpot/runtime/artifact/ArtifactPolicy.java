package io.hotpot.runtime.artifact;

import io.hotpot.api.ArtifactDescriptor;

/**
 * What a jar that reads as a bundle must also satisfy before it is kept: a decision that
 * {@link ArtifactInspector} applies but does not make. The inspector reads; the policy decides (for
 * a node, the claim guard of {@code io.hotpot.runtime.security.claims}, which refuses a bundle that
 * would replace one Hotpot must not touch). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ArtifactPolicy {

    /** Admits every bundle. */
    ArtifactPolicy NONE = (artifact, name) -> {
    };

    /**
     * @param artifact what the jar is, as its manifest and bytes say
     * @param name     where it came from, for the error
     * @throws InvalidArtifactException naming the artifact and why, to refuse it; its cause may say
     *                                  more (a {@code SecurityRefusal} with its reason)
     */
    void admit(ArtifactDescriptor artifact, String name) throws InvalidArtifactException;
}
