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
import java.util.Map;

/**
 * Twins 1.2.0's state migration: it reads the snapshot of 1.0.0 and 1.1.0 (schema 1: a count of
 * stores, then for each its name, its count of entries, and each key and value) and folds every
 * store into the one store this version keeps; where two stores hold the same key, the kept
 * store's own entry wins. It writes the same schema with one store. Called by Hotpot only, with the
 * bundle's gate closed.
 */
public class FoldingMigration implements StateMigration {

    private final TwinStore store;
    private final Bundle bundle;

    /**
     * @param store  the store this version keeps
     * @param bundle the bundle whose container created it ({@code blueprintBundle})
     */
    public FoldingMigration(TwinStore store, Bundle bundle) {
        this.store = store;
        this.bundle = bundle;
    }

    @Override
    public int schemaVersion() {
        return TwinMigration.SCHEMA;
    }

    @Override
    public StateSnapshot exportState() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Map<String, String> entries = store.entries();
            out.writeInt(1);
            out.writeUTF(store.name());
            out.writeInt(entries.size());
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        }
        return new StateSnapshot(bundle.getSymbolicName(), bundle.getVersion().toString(), TwinMigration.SCHEMA,
                bytes.toByteArray());
    }

    /** @throws IOException for another schema: nothing is imported then */
    @Override
    public void importState(StateSnapshot snapshot) throws IOException {
        if (snapshot.schemaVersion() != TwinMigration.SCHEMA) {
            throw new IOException("twins " + bundle.getVersion() + " cannot read schema " + snapshot.schemaVersion());
        }
        Map<String, String> folded = new HashMap<>();
        Map<String, String> own = Map.of();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.data()))) {
            int count = in.readInt();
            for (int s = 0; s < count; s++) {
                String name = in.readUTF();
                Map<String, String> entries = new HashMap<>();
                int size = in.readInt();
                for (int i = 0; i < size; i++) {
                    entries.put(in.readUTF(), in.readUTF());
                }
                if (name.equals(store.name())) {
                    own = entries;
                } else {
                    folded.putAll(entries);
                }
            }
        }
        folded.putAll(own);
        store.replaceAll(folded);
    }
}
