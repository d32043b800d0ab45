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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Store 1.1.0: each entry also counts its writes and remembers when it was last written
 * (schema 2), and every request is logged. Imports schema 1 from store 1.0.0 (each entry starts
 * with one write, stamped at import time) and its own schema 2.
 */
@Component(service = KeyValueStore.class, immediate = true, property = {
        // Callable from the other nodes through Aries RSA (Hotpot exports its gated proxy of it).
        "service.exported.interfaces=io.hotpot.examples.kv.KeyValueStore",
        "service.exported.configs=aries.fastbin"})
public class MemoryKeyValueStore implements KeyValueStore, StateMigration {

    static final int SCHEMA = 2;

    private static final Logger LOG = LoggerFactory.getLogger(MemoryKeyValueStore.class);

    /** One stored entry in schema 2. */
    record Entry(String value, long writes, long updatedAt) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
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
        LOG.info("kv {} get {}", version, key);
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    @Override
    public void put(String key, String value) {
        LOG.info("kv {} put {}", version, key);
        long now = System.currentTimeMillis();
        entries.compute(key, (k, old) -> new Entry(value, old == null ? 1 : old.writes() + 1, now));
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
        Entry e = entries.get(key);
        return e == null ? null : "value=" + e.value() + ";writes=" + e.writes() + ";updatedAt=" + e.updatedAt();
    }

    @Override
    public StateSnapshot exportState() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Map<String, Entry> copy = Map.copyOf(entries);
            out.writeInt(copy.size());
            for (Map.Entry<String, Entry> e : copy.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().value());
                out.writeLong(e.getValue().writes());
                out.writeLong(e.getValue().updatedAt());
            }
        }
        return new StateSnapshot(symbolicName, version, SCHEMA, bytes.toByteArray());
    }

    @Override
    public void importState(StateSnapshot snapshot) throws IOException {
        int schema = snapshot.schemaVersion();
        if (schema != 1 && schema != 2) {
            throw new IOException("store " + version + " cannot read schema " + schema + " exported by "
                    + snapshot.bundleVersion());
        }
        long now = System.currentTimeMillis();
        Map<String, Entry> loaded = new ConcurrentHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.data()))) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                String value = in.readUTF();
                // Schema 1 knew no history: count the value that exists as its first write.
                Entry entry = schema == 2 ? new Entry(value, in.readLong(), in.readLong()) : new Entry(value, 1, now);
                loaded.put(key, entry);
            }
        }
        entries.clear();
        entries.putAll(loaded);
        LOG.info("kv {} imported {} entries of schema {} from store {}", version, loaded.size(), schema,
                snapshot.bundleVersion());
    }
}
