package io.hotpot.examples.kv.twins;

import io.hotpot.examples.kv.KeyValueStore;
import org.osgi.framework.Bundle;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One of the two stores of the twins bundle, a Blueprint bean: the bundle's Blueprint container
 * creates two of them and registers both under {@link KeyValueStore}, told apart only by the
 * {@code kv.store} service property that consumers filter on. That is the shape that made Hotpot
 * collapse services before issue 10: same bundle, same interface, no {@code component.name}.
 * Thread-safe: the entries are a concurrent map.
 */
public class TwinStore implements KeyValueStore {

    private final String name;
    private final String version;
    private final Map<String, String> entries = new ConcurrentHashMap<>();

    /**
     * @param name   the store's name, as its {@code kv.store} property says it
     * @param bundle the bundle whose Blueprint container created it ({@code blueprintBundle}), to
     *               tell which version serves a call
     */
    public TwinStore(String name, Bundle bundle) {
        this.name = name;
        this.version = bundle.getVersion().toString();
    }

    String name() {
        return name;
    }

    /** @return a copy of the entries, for the migration */
    Map<String, String> entries() {
        return Map.copyOf(entries);
    }

    /** Replaces every entry: the migration's import, before the gate opens. */
    void replaceAll(Map<String, String> loaded) {
        entries.clear();
        entries.putAll(loaded);
    }

    @Override
    public String get(String key) {
        return entries.get(key);
    }

    @Override
    public void put(String key, String value) {
        entries.put(key, value);
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public Set<String> keys() {
        return Set.copyOf(entries.keySet());
    }

    @Override
    public int schemaVersion() {
        return TwinMigration.SCHEMA;
    }

    /** @return {@code value=V;store=NAME;bundle=VERSION}: which store and which version answer */
    @Override
    public String describe(String key) {
        String value = entries.get(key);
        return value == null ? null : "value=" + value + ";store=" + name + ";bundle=" + version;
    }
}
