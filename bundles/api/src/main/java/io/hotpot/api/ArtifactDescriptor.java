package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a bundle artifact is, independent of where its bytes are: the OSGi identity read from its
 * manifest ({@code Bundle-SymbolicName}, {@code Bundle-Version}) plus the SHA-256 digest and size of
 * the jar's bytes.
 *
 * <p>A follower trusts nothing in a descriptor: it recomputes the digest and size over the bytes it
 * received and re-reads the manifest before it touches a bundle. Immutable and thread-safe.
 *
 * @param symbolicName the bundle symbolic name, without directives (e.g. {@code org.apache.commons.lang3})
 * @param version      the bundle version as written by {@link org.osgi.framework.Version#toString()}
 * @param sha256       the SHA-256 digest of the jar bytes, 64 lower-case hex characters
 * @param size         the jar's length in bytes, {@code >= 0}
 */
public record ArtifactDescriptor(String symbolicName, String version, String sha256, long size)
        implements Serializable {

    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * @throws NullPointerException     if any text argument is null
     * @throws IllegalArgumentException if the name or version is blank, the digest is not 64
     *                                  lower-case hex characters, or the size is negative
     */
    public ArtifactDescriptor {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        if (symbolicName.isBlank()) {
            throw new IllegalArgumentException("symbolicName is blank");
        }
        if (version.isBlank()) {
            throw new IllegalArgumentException("version is blank");
        }
        if (!HEX_SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 is not 64 lower-case hex characters: " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size < 0: " + size);
        }
    }

    /** @return {@code symbolicName/version}, the form used in logs and console tables */
    public String coordinates() {
        return symbolicName + "/" + version;
    }

    /** @return the first 12 hex characters of the digest, enough to tell artifacts apart in a table */
    public String shortDigest() {
        return sha256.substring(0, 12);
    }
}
