package io.hotpot.runtime.security;

import java.util.Objects;

/**
 * What {@link BundleClaimGuard} needs to know of a bundle already installed in the framework.
 * Immutable and thread-safe.
 *
 * @param id           the bundle id ({@code 0} is the system bundle)
 * @param symbolicName its symbolic name
 * @param location     its location, e.g. {@code hotpot:org.example} for a bundle Hotpot installed
 * @param startLevel   its start level
 * @param hotpotPart   whether it is Hotpot's own runtime or something that runtime depends on
 *                     (Curator, ZooKeeper, Aries RSA, ...): replacing it would replace Hotpot itself
 */
public record InstalledBundle(long id, String symbolicName, String location, int startLevel, boolean hotpotPart) {

    public InstalledBundle {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(location, "location");
    }
}
