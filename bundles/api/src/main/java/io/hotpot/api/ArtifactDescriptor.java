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
    /** OSGi Core R8 1.3.2: symbolic-name ::= token ( '.' token )*, token ::= ( alphanum | '_' | '-' )+. */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** OSGi Core R8 3.2.5: major ( '.' minor ( '.' micro ( '.' qualifier )? )? )?. */
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}(\\.[0-9]{1,9}(\\.[A-Za-z0-9_-]+)?)?)?");

    /**
     * @throws NullPointerException     if any text argument is null
     * @throws IllegalArgumentException if the name is not an OSGi symbolic name (so it can never hold
     *                                  a path separator or {@code ..}), the version not an OSGi
     *                                  version, the digest not 64 lower-case hex characters, or the
     *                                  size negative. Records are deserialized through this
     *                                  constructor, so a descriptor from the network is checked too.
     */
    public ArtifactDescriptor {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sha256, "sha256");
        if (symbolicName.length() > 255 || !SYMBOLIC_NAME.matcher(symbolicName).matches()) {
            throw new IllegalArgumentException("symbolicName is not an OSGi symbolic name: '" + symbolicName + "'");
        }
        if (version.length() > 255 || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("version is not an OSGi version: '" + version + "'");
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
