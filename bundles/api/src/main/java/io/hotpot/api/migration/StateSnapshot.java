package io.hotpot.api.migration;

import java.io.Serializable;
import java.util.Objects;

/**
 * Version-neutral state exported by one version of a bundle, to be imported by another. The data
 * is plain bytes in a format the bundle owns and versions with {@link #schemaVersion()}; no object
 * from the exporting bundle's class loader crosses over. Immutable: the array is copied in and out.
 *
 * @param symbolicName  the exporting bundle's symbolic name
 * @param bundleVersion the exporting bundle's version (the "from" version of an import)
 * @param schemaVersion the version of the data format, chosen by the bundle, {@code >= 0}
 * @param data          the serialized state
 */
public record StateSnapshot(String symbolicName, String bundleVersion, int schemaVersion, byte[] data)
        implements Serializable {

    /**
     * @throws NullPointerException     if any argument is null
     * @throws IllegalArgumentException if schemaVersion is negative
     */
    public StateSnapshot {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(bundleVersion, "bundleVersion");
        Objects.requireNonNull(data, "data");
        if (schemaVersion < 0) {
            throw new IllegalArgumentException("schemaVersion < 0: " + schemaVersion);
        }
        data = data.clone();
    }

    /** @return a copy of the serialized state */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** @return the size of the serialized state in bytes */
    public int size() {
        return data.length;
    }
}
