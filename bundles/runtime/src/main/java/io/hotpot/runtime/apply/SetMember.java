package io.hotpot.runtime.apply;

import io.hotpot.api.ArtifactDescriptor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One artifact of a set that a node applies as one unit ({@link BundleApplier#applySet}).
 * Immutable.
 *
 * @param artifact what the leader says the bytes are
 * @param jar      the bytes, in the node's store, already verified against {@code artifact} by the caller
 */
public record SetMember(ArtifactDescriptor artifact, Path jar) {

    /** @throws NullPointerException if an argument is null */
    public SetMember {
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(jar, "jar");
    }
}
