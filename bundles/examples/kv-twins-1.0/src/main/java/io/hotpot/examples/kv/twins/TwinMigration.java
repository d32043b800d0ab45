package io.hotpot.examples.kv.twins;

import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import org.osgi.framework.Bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The twins bundle's state-migration service, a third Blueprint bean: carries both stores' entries,
 * each to the store of the same name in the new version, whatever the beans are called there.
 * Called by Hotpot only, with the bundle's gate closed.
 */
public class TwinMigration implements StateMigration {

    static final int SCHEMA = 1;

    private final List<TwinStore> stores;
    private final Bundle bundle;

    /**
     * @param first  one store
     * @param second the other
     * @param bundle the bundle whose container created them ({@code blueprintBundle})
     */
    public TwinMigration(TwinStore first, TwinStore second, Bundle bundle) {
        this.stores = List.of(first, second);
        this.bundle = bundle;
    }

    @Override
    public int schemaVersion() {
        return SCHEMA;
    }

    /** Schema 1: a count of stores, then for each its name, its count of entries, and each key and value. */
    @Override
    public StateSnapshot exportState() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(stores.size());
            for (TwinStore store : stores) {
                Map<String, String> entries = store.entries();
                out.writeUTF(store.name());
                out.writeInt(entries.size());
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(e.getValue());
                }
            }
        }
        return new StateSnapshot(bundle.getSymbolicName(), bundle.getVersion().toString(), SCHEMA, bytes.toByteArray());
    }

    /** @throws IOException for another schema, or a store name this version does not have: nothing is imported then */
    @Override
    public void importState(StateSnapshot snapshot) throws IOException {
        if (snapshot.schemaVersion() != SCHEMA) {
            throw new IOException("twins " + bundle.getVersion() + " cannot read schema " + snapshot.schemaVersion());
        }
        Map<String, Map<String, String>> byStore = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.data()))) {
            int count = in.readInt();
            for (int s = 0; s < count; s++) {
                String name = in.readUTF();
                Map<String, String> entries = new HashMap<>();
                int size = in.readInt();
                for (int i = 0; i < size; i++) {
                    entries.put(in.readUTF(), in.readUTF());
                }
                byStore.put(name, entries);
            }
        }
        for (String name : byStore.keySet()) {
            if (stores.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IOException("twins " + bundle.getVersion() + " has no store named " + name);
            }
        }
        for (TwinStore store : stores) {
            store.replaceAll(byStore.getOrDefault(store.name(), Map.of()));
        }
    }
}
