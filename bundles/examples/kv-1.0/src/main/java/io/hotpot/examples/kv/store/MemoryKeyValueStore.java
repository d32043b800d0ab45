package io.hotpot.examples.kv.store;

import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.examples.kv.KeyValueStore;
import io.hotpot.examples.kv.StoreFile;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Store 1.0.0: entries are plain values (schema 1). Exports schema 1; imports schema 1, and
 * schema 2 from store 1.1.0 on a downgrade, dropping the write counts and timestamps.
 */
@Component(service = KeyValueStore.class, immediate = true, property = {
        // Callable from the other nodes through Aries RSA (Hotpot exports its gated proxy of it).
        "service.exported.interfaces=io.hotpot.examples.kv.KeyValueStore",
        "service.exported.configs=aries.fastbin"})
public class MemoryKeyValueStore implements KeyValueStore, StateMigration {

    static final int SCHEMA = 1;

    private final Map<String, String> entries = new ConcurrentHashMap<>();
    private final String symbolicName;
    private final String version;

    private final ServiceRegistration<StateMigration> migration;
    private final StoreFile file;

    /**
     * Reads back the entries saved at the node's last shutdown, then registers the store's migration
     * service separately: Hotpot gates the store, not its migration.
     */
    @Activate
    public MemoryKeyValueStore(BundleContext context) throws Exception {
        this.symbolicName = context.getBundle().getSymbolicName();
        this.version = context.getBundle().getVersion().toString();
        this.file = new StoreFile(context);
        file.restore(this);
        this.migration = context.registerService(StateMigration.class, this, null);
    }

    @Deactivate
    void deactivate() throws Exception {
        file.saveIfShuttingDown(this);
        migration.unregister();
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
        return SCHEMA;
    }

    @Override
    public String describe(String key) {
        String value = entries.get(key);
        return value == null ? null : "value=" + value;
    }

    @Override
    public StateSnapshot exportState() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Map<String, String> copy = Map.copyOf(entries);
            out.writeInt(copy.size());
            for (Map.Entry<String, String> e : copy.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        }
        return new StateSnapshot(symbolicName, version, SCHEMA, bytes.toByteArray());
    }

    @Override
    public void importState(StateSnapshot snapshot) throws IOException {
        if (snapshot.schemaVersion() != 1 && snapshot.schemaVersion() != 2) {
            throw new IOException("store " + version + " cannot read schema " + snapshot.schemaVersion()
                    + " exported by " + snapshot.bundleVersion());
        }
        Map<String, String> loaded = new ConcurrentHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.data()))) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                String value = in.readUTF();
                if (snapshot.schemaVersion() == 2) {
                    in.readLong(); // write count: store 1.0.0 has no place for it
                    in.readLong(); // last write time
                }
                loaded.put(key, value);
            }
        }
        entries.clear();
        entries.putAll(loaded);
    }
}
