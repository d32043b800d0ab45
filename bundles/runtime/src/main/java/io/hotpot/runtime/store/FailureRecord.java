package io.hotpot.runtime.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What failed on this node, on disk so that it survives the node: per bundle symbolic name, the
 * SHA-256 of the last artifact whose apply failed here, or that was being applied when the node
 * died (found in the swap journal at the next start). Convergence does not apply those bytes again
 * on its own, so a version that kills the JVM cannot crash-loop a node; a rollout decided again
 * (a new ticket) still may. Kept in {@code <data.dir>/failed.properties}, rewritten atomically.
 *
 * <p>Thread-safe.
 */
public final class FailureRecord {

    private final PropertiesFile file;

    /** @param dataDir the node's Hotpot data folder */
    public FailureRecord(Path dataDir) {
        this.file = new PropertiesFile(dataDir.resolve("failed.properties"));
    }

    /** @return the digest that last failed for that symbolic name, if any */
    public synchronized Optional<String> failed(String symbolicName) {
        return Optional.ofNullable(read().getProperty(symbolicName));
    }

    /**
     * Records that these bytes failed for that symbolic name.
     *
     * @throws UncheckedIOException if the record cannot be written
     */
    public synchronized void record(String symbolicName, String sha256) {
        Properties p = read();
        if (!sha256.equals(p.getProperty(symbolicName))) {
            p.setProperty(symbolicName, sha256);
            write(p);
        }
    }

    /** Forgets the failure of that symbolic name, after a successful apply. */
    public synchronized void clear(String symbolicName) {
        Properties p = read();
        if (p.remove(symbolicName) != null) {
            write(p);
        }
    }

    private Properties read() {
        try {
            return file.read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.file(), e);
        }
    }

    private void write(Properties p) {
        try {
            file.write(p, "Hotpot: per symbolic name, the SHA-256 of the last artifact that failed on this node");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.file(), e);
        }
    }
}
