package io.hotpot.examples.kv;

import java.util.Set;

/**
 * An in-memory map of string keys to string values, offered as an OSGi service by the
 * {@code io.hotpot.examples.kv.store} bundle. Its versions store entries in different shapes
 * ({@link #schemaVersion()}); Hotpot carries the entries across an update through the bundle's
 * state-migration service. Implementations are thread-safe.
 */
public interface KeyValueStore {

    /** @return the value for the key, or null if absent */
    String get(String key);

    /** Stores a value, replacing any previous one. */
    void put(String key, String value);

    /** @return the number of entries */
    int size();

    /** @return a copy of the keys */
    Set<String> keys();

    /**
     * @return the shape of the stored entries: 1 = the value only (store 1.0.0); 2 = the value,
     *         a write count and the time of the last write (store 1.1.0)
     */
    int schemaVersion();

    /**
     * @return the entry as stored, in this version's shape, e.g. {@code value=v} (schema 1) or
     *         {@code value=v;writes=3;updatedAt=1700000000000} (schema 2); null if absent
     */
    String describe(String key);
}
