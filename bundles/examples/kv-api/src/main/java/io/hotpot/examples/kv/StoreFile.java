package io.hotpot.examples.kv;

import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/**
 * Keeps a store's entries across a restart of its node: written to the bundle's data area when
 * the framework shuts down, read back (and deleted) when the store activates again. A swap by
 * Hotpot stops the bundle while the framework runs, so it never writes the file: the state then
 * travels through the {@link StateMigration} snapshot alone. The file holds a snapshot, so a newer
 * store version reads an older version's file through its own import.
 *
 * <p>Not thread-safe: call from the component's activate and deactivate only.
 */
public final class StoreFile {

    private static final String NAME = "entries.snapshot";

    private final BundleContext context;

    /** @param context the store bundle's context */
    public StoreFile(BundleContext context) {
        this.context = context;
    }

    /**
     * Writes the store's state if the framework is shutting down; otherwise does nothing.
     *
     * @throws Exception if the export or the write fails
     */
    public void saveIfShuttingDown(StateMigration store) throws Exception {
        if (context.getBundle(0).getState() != Bundle.STOPPING) {
            return;
        }
        StateSnapshot s = store.exportState();
        File file = context.getDataFile(NAME);
        File tmp = context.getDataFile(NAME + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp.toPath()))) {
            out.writeUTF(s.symbolicName());
            out.writeUTF(s.bundleVersion());
            out.writeInt(s.schemaVersion());
            out.writeInt(s.data().length);
            out.write(s.data());
        }
        Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Imports the state written at the last shutdown, if any, and deletes the file.
     *
     * @return whether a file was read
     * @throws Exception if the file is unreadable or the import refuses it (the file is kept)
     */
    public boolean restore(StateMigration store) throws Exception {
        File file = context.getDataFile(NAME);
        if (file == null || !file.isFile()) {
            return false;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file.toPath()))) {
            String symbolicName = in.readUTF();
            String version = in.readUTF();
            int schema = in.readInt();
            byte[] data = in.readNBytes(in.readInt());
            store.importState(new StateSnapshot(symbolicName, version, schema, data));
        } catch (IOException e) {
            throw new IOException("cannot restore the store's entries from " + file + ": " + e.getMessage(), e);
        }
        Files.delete(file.toPath());
        return true;
    }
}
