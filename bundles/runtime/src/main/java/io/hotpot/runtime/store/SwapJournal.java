package io.hotpot.runtime.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A write-ahead record of each swap in progress, one file per symbolic name in
 * {@code <data.dir>/journal}, so that a node killed in the middle of a swap can tell, when it
 * starts again, which bundle was being swapped, from which bytes, and where its state snapshot is.
 * A swap writes its entry once, after the state export and before it touches the bundle, and
 * removes it once the new revision serves with its state. Each write replaces the file atomically.
 *
 * <p>Files are not fsync'ed: the journal survives the death of the process (kill -9, a crash of
 * the JVM), whose writes the kernel keeps, but not a crash of the machine itself, which would cost
 * an fsync of several milliseconds inside every swap's pause. Thread-safe.
 */
public final class SwapJournal {

    /**
     * One swap in progress.
     *
     * @param symbolicName the bundle being swapped
     * @param fromVersion  the version it ran before
     * @param fromSha256   the digest of the bytes it ran before (kept in the artifact store)
     * @param toVersion    the version being installed
     * @param toSha256     the digest of the new bytes
     * @param rolloutId    the rollout
     * @param hasSnapshot  whether a state snapshot was written before the update
     * @param phase        the last phase reached: EXPORTED, UPDATED, REFRESHED, IMPORTING
     */
    public record Entry(String symbolicName, String fromVersion, String fromSha256, String toVersion, String toSha256,
                        String rolloutId, boolean hasSnapshot, String phase) {
    }

    private final Path dir;

    /**
     * @param root the node's Hotpot data folder
     * @throws UncheckedIOException if the folder cannot be created
     */
    public SwapJournal(Path root) {
        this.dir = root.resolve("journal");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Writes an entry, replacing any for the same name. @throws IOException if it cannot be written */
    public void write(Entry e) throws IOException {
        Properties p = new Properties();
        p.setProperty("symbolicName", e.symbolicName());
        p.setProperty("fromVersion", e.fromVersion());
        p.setProperty("fromSha256", e.fromSha256());
        p.setProperty("toVersion", e.toVersion());
        p.setProperty("toSha256", e.toSha256());
        p.setProperty("rolloutId", e.rolloutId());
        p.setProperty("hasSnapshot", Boolean.toString(e.hasSnapshot()));
        p.setProperty("phase", e.phase());
        Path tmp = dir.resolve(e.symbolicName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Hotpot swap in progress");
        }
        try {
            Files.move(tmp, file(e.symbolicName()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException x) {
            Files.move(tmp, file(e.symbolicName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the entry of a finished swap. @throws IOException if it cannot be deleted */
    public void remove(String symbolicName) throws IOException {
        Files.deleteIfExists(file(symbolicName));
    }

    /** @return the entry for that name, if a swap of it is in progress or was interrupted */
    public Optional<Entry> find(String symbolicName) {
        return read(file(symbolicName));
    }

    /** @return every entry: the swaps interrupted by the last stop of the node */
    public List<Entry> all() {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".properties")).sorted()
                    .forEach(f -> read(f).ifPresent(entries::add));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return entries;
    }

    private Path file(String symbolicName) {
        if (!symbolicName.matches("[A-Za-z0-9._-]+") || symbolicName.startsWith(".")) {
            throw new IllegalArgumentException("unsafe symbolic name: " + symbolicName);
        }
        return dir.resolve(symbolicName + ".properties");
    }

    private static Optional<Entry> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            return Optional.of(new Entry(p.getProperty("symbolicName"), p.getProperty("fromVersion"),
                    p.getProperty("fromSha256"), p.getProperty("toVersion"), p.getProperty("toSha256"),
                    p.getProperty("rolloutId"), Boolean.parseBoolean(p.getProperty("hasSnapshot")), p.getProperty("phase")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
