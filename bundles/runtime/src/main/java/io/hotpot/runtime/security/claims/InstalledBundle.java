package io.hotpot.runtime.security.claims;

import java.util.Objects;

/**
 * What {@link BundleClaimGuard} needs to know of a bundle already installed in the framework.
 * Immutable and thread-safe.
 *
 * @param id           the bundle id ({@code 0} is the system bundle)
 * @param symbolicName its symbolic name
 * @param version      its version
 * @param location     its location, e.g. {@code hotpot:org.example} for a bundle Hotpot installed
 * @param startLevel   its start level
 * @param hotpotPart   whether it is Hotpot's own runtime or something that runtime depends on
 *                     (Curator, ZooKeeper, Aries RSA, Jackson, Guava ...): replacing it would replace Hotpot itself
 * @param requiredBy   for a bundle Hotpot depends on, the bundle of Hotpot's runtime wired to it
 *                     (e.g. {@code org.apache.curator.framework 5.9.0}); null for Hotpot's own bundles and
 *                     for bundles that are no part of it
 */
public record InstalledBundle(long id, String symbolicName, String version, String location, int startLevel,
                              boolean hotpotPart, String requiredBy) {

    public InstalledBundle {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(location, "location");
    }
}
