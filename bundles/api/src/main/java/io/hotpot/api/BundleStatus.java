package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * One installed bundle as a node sees it. Immutable and thread-safe.
 *
 * @param bundleId     the framework's bundle id on that node (ids differ between nodes)
 * @param symbolicName the bundle symbolic name
 * @param version      the bundle version
 * @param state        {@code INSTALLED}, {@code RESOLVED}, {@code STARTING}, {@code STOPPING},
 *                     {@code ACTIVE} or {@code UNINSTALLED}
 * @param sha256       the SHA-256 of the bytes Hotpot applied, recomputed from the node's artifact
 *                     store when the status was taken; {@code null} if Hotpot never applied this bundle
 * @param location     the bundle location string
 */
public record BundleStatus(long bundleId, String symbolicName, String version, String state,
                           String sha256, String location) implements Serializable {

    /** @throws NullPointerException if a name, version, state or location is null */
    public BundleStatus {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(location, "location");
    }
}
