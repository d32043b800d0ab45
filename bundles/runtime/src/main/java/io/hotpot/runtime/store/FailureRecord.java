package io.hotpot.runtime.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What failed on this node, on disk so that it survives the node, per bundle symbolic name:
 * <ul>
 *   <li>{@code failed.<bsn>}: the SHA-256 of the last artifact whose apply failed here (its update,
 *       resolution, start, state import or health gate reported a failure): convergence does not
 *       apply those bytes again on its own;</li>
 *   <li>{@code died.<bsn>}: the SHA-256 of an artifact the node was applying when it died (found in
 *       the swap journal at the next start) and how many times in a row that happened. A single
 *       death may have had nothing to do with the bytes (an operator's kill, a machine's reboot), so
 *       convergence tries them once more; after {@link #DEATHS} deaths it leaves them alone, so a
 *       version that kills the JVM cannot crash-loop the node.</li>
 * </ul>
 * A rollout decided again (a new ticket) still applies them. Kept in {@code <data.dir>/failed.properties}.
 *
 * <p>Thread-safe.
 */
public final class FailureRecord {

    /** Deaths during the apply of the same bytes after which convergence stops trying them. */
    public static final int DEATHS = 2;

    private final PropertiesFile file;

    /** @param dataDir the node's Hotpot data folder */
    public FailureRecord(Path dataDir) {
        this.file = new PropertiesFile(dataDir.resolve("failed.properties"));
    }

    /** @return whether convergence should leave these bytes of that symbolic name alone on this node */
    public synchronized boolean avoid(String symbolicName, String sha256) {
        Properties p = read();
        if (sha256.equals(p.getProperty("failed." + symbolicName))) {
            return true;
        }
        String[] died = p.getProperty("died." + symbolicName, "").split(" ");
        return died.length == 2 && died[0].equals(sha256) && Integer.parseInt(died[1]) >= DEATHS;
    }

    /**
     * Records that the apply of these bytes failed here.
     *
     * @throws UncheckedIOException if the record cannot be written
     */
    public synchronized void failed(String symbolicName, String sha256) {
        Properties p = read();
        p.setProperty("failed." + symbolicName, sha256);
        write(p);
    }

    /**
     * Records that the node died while it applied these bytes, once more.
     *
     * @throws UncheckedIOException if the record cannot be written
     */
    public synchronized void died(String symbolicName, String sha256) {
        Properties p = read();
        String[] died = p.getProperty("died." + symbolicName, "").split(" ");
        int times = died.length == 2 && died[0].equals(sha256) ? Integer.parseInt(died[1]) + 1 : 1;
        p.setProperty("died." + symbolicName, sha256 + " " + times);
        write(p);
    }

    /** Forgets the failures of that symbolic name, after a successful apply. */
    public synchronized void clear(String symbolicName) {
        Properties p = read();
        boolean changed = p.remove("failed." + symbolicName) != null;
        changed |= p.remove("died." + symbolicName) != null;
        if (changed) {
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
            file.write(p, "Hotpot: per symbolic name, what failed on this node (failed.*) and what it died applying (died.*)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.file(), e);
        }
    }
}
