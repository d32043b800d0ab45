package io.hotpot.runtime.store;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.artifact.Sha256;

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
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The node's own copy of every artifact it applied, keyed by SHA-256, plus a record of what it
 * applied per symbolic name and the state snapshots taken before each update. Lives in the node's
 * data folder ({@code data.dir}):
 * <pre>
 *   artifacts/&lt;sha256&gt;.jar      content-addressed bytes, never modified once written
 *   staging/&lt;id&gt;.part            transfers and downloads in progress
 *   applied/&lt;bsn&gt;.properties     what runs now, per symbolic name
 *   snapshots/&lt;bsn&gt;.state        the state exported before the last update
 * </pre>
 * Every file is written to a temporary name and moved into place, so a crash leaves either the old
 * or the new file, never half of one. Of each symbolic name the store keeps the bytes of the last
 * {@code keptVersions} versions that ran, the choices of {@code hot:rollback}; older ones are
 * deleted when a new one is recorded. Thread-safe: writes to distinct names do not interfere, and
 * concurrent writes of one name leave one complete file.
 */
public final class ArtifactStore {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{64}");

    private final Path artifacts;
    private final Path staging;
    private final Path applied;
    private final Path snapshots;
    private final int keptVersions;
    private final long unnamedRetentionMs;
    /** Digests of stored files by path, valid while the file's size and modification time stay. */
    private final java.util.Map<Path, Digest> digests = new java.util.concurrent.ConcurrentHashMap<>();

    private record Digest(long size, long modifiedMs, String sha256) {
    }

    /**
     * @param root         the node's Hotpot data folder; created if missing
     * @param keptVersions how many versions of each symbolic name to keep, the running one
     *                     included; at least 2, so that a halted rollout can always go back
     * @throws IllegalArgumentException if keptVersions is below 2
     * @throws UncheckedIOException     if the folders cannot be created
     */
    public ArtifactStore(Path root, int keptVersions) {
        this(root, keptVersions, 3_600_000);
    }

    /**
     * @param root               the node's Hotpot data folder; created if missing
     * @param keptVersions       how many versions of each symbolic name to keep, at least 2
     * @param unnamedRetentionMs how long bytes that nothing runs or keeps stay, in milliseconds
     *                           ({@code unapplied.retention.ms}, {@link #pruneUnnamed})
     * @throws IllegalArgumentException if keptVersions is below 2 or the retention is not positive
     * @throws UncheckedIOException     if the folders cannot be created
     */
    public ArtifactStore(Path root, int keptVersions, long unnamedRetentionMs) {
        if (unnamedRetentionMs <= 0) {
            throw new IllegalArgumentException("unapplied.retention.ms must be > 0: " + unnamedRetentionMs);
        }
        this.unnamedRetentionMs = unnamedRetentionMs;
        if (keptVersions < 2) {
            throw new IllegalArgumentException("kept.versions must be >= 2 (the running version and the one to go back to): "
                    + keptVersions);
        }
        this.keptVersions = keptVersions;
        this.artifacts = root.resolve("artifacts");
        this.staging = root.resolve("staging");
        this.applied = root.resolve("applied");
        this.snapshots = root.resolve("snapshots");
        try {
            for (Path dir : List.of(artifacts, staging, applied, snapshots)) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Hotpot data folder " + root, e);
        }
    }

    /**
     * @param name a staging name chosen by the caller, letters, digits, '.', '_' and '-' only
     * @return the staging file for that name (not created)
     * @throws IllegalArgumentException if the name could escape the staging folder
     */
    public Path stagingFile(String name) {
        return staging.resolve(safe(name) + ".part");
    }

    /**
     * Copies a stream into a new staging file.
     *
     * @param in       the bytes; read to the end, not closed
     * @param maxBytes stop and fail once more than this many bytes arrived
     * @return the staging file holding the bytes
     * @throws IOException if reading or writing fails, or the stream exceeds maxBytes
     */
    public Path stage(InputStream in, long maxBytes) throws IOException {
        Path file = stagingFile("download-" + UUID.randomUUID());
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException("more than artifact.max.bytes=" + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /**
     * Moves a verified staging file into the content-addressed area. If the store already holds
     * these bytes, the staging file is simply deleted.
     *
     * @param staged a file from {@link #stagingFile} or {@link #stage}
     * @param sha256 its digest, already verified by the caller
     * @return the stored file
     * @throws IOException if the move fails
     */
    public Path commit(Path staged, String sha256) throws IOException {
        Path target = artifactFile(sha256);
        if (Files.exists(target)) {
            Files.deleteIfExists(staged);
            return target;
        }
        move(staged, target);
        return target;
    }

    /**
     * Stores bytes read from a stream (for example the old revision of a bundle), by digest.
     *
     * @param in the bytes; read to the end, not closed
     * @return the stored file
     * @throws IOException if reading or writing fails
     */
    public Path put(InputStream in) throws IOException {
        Path tmp = stage(in, Long.MAX_VALUE);
        return commit(tmp, Sha256.of(tmp));
    }

    /** @return the stored file with that digest, if the store holds it */
    public Optional<Path> artifact(String sha256) {
        Path file = artifactFile(sha256);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * Records that an artifact now runs on this node, and deletes the bytes of the versions of its
     * symbolic name beyond the last {@code keptVersions}, and those that nothing names any more
     * ({@link #pruneUnnamed}, with the store's retention).
     *
     * @throws IOException if the record cannot be written
     */
    public synchronized void recordApplied(ArtifactDescriptor artifact, String rolloutId) throws IOException {
        Properties p = new Properties();
        p.setProperty("symbolicName", artifact.symbolicName());
        p.setProperty("version", artifact.version());
        p.setProperty("sha256", artifact.sha256());
        p.setProperty("size", Long.toString(artifact.size()));
        p.setProperty("rolloutId", rolloutId);
        p.setProperty("appliedAt", Long.toString(System.currentTimeMillis()));
        Path tmp = applied.resolve(safe(artifact.symbolicName()) + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Hotpot: the artifact applied for this symbolic name");
        }
        move(tmp, applied.resolve(safe(artifact.symbolicName()) + ".properties"));
        // The history of what ran, one line per apply, is what hot:rollback chooses from.
        Files.writeString(applied.resolve(safe(artifact.symbolicName()) + ".history"),
                artifact.version() + " " + artifact.sha256() + " " + artifact.size() + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        prune(artifact.symbolicName());
        try {
            pruneUnnamed(unnamedRetentionMs, System.currentTimeMillis());
        } catch (IOException e) {
            // The record above is written; the next apply or start prunes again.
        }
    }

    /**
     * Forgets that anything of that symbolic name runs here (an install that failed after it was
     * recorded); its bytes and history stay.
     *
     * @throws IOException if the record cannot be deleted
     */
    public synchronized void forgetApplied(String symbolicName) throws IOException {
        Files.deleteIfExists(applied.resolve(safe(symbolicName) + ".properties"));
    }

    /** Deletes the bytes of versions past the kept count and rewrites the history to the kept ones. */
    private void prune(String symbolicName) throws IOException {
        List<ArtifactDescriptor> all = kept(symbolicName);
        if (all.size() <= keptVersions) {
            return;
        }
        List<ArtifactDescriptor> keep = all.subList(0, keptVersions);
        StringBuilder history = new StringBuilder();
        for (int i = keep.size() - 1; i >= 0; i--) {
            ArtifactDescriptor a = keep.get(i);
            history.append(a.version()).append(' ').append(a.sha256()).append(' ').append(a.size()).append('\n');
        }
        Path tmp = applied.resolve(safe(symbolicName) + ".history.tmp");
        Files.writeString(tmp, history);
        move(tmp, applied.resolve(safe(symbolicName) + ".history"));
        for (ArtifactDescriptor old : all.subList(keptVersions, all.size())) {
            Files.deleteIfExists(artifactFile(old.sha256()));
            digests.remove(artifactFile(old.sha256()));
        }
    }

    /**
     * Deletes every staging file. Called once at a node's start, before any transfer or download of
     * it can begin: what is left there was in progress when the node last stopped, and nothing
     * resumes it (issue 11 item 4).
     *
     * @return how many files were deleted
     * @throws IOException if the folder cannot be listed or a file cannot be deleted
     */
    public int clearStaging() throws IOException {
        int deleted = 0;
        try (Stream<Path> files = Files.list(staging)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f) && Files.deleteIfExists(f)) {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /**
     * Deletes the stored artifacts that nothing names: neither what runs for a symbolic name nor
     * its kept history. Those are bytes staged for a rollout that halted before this node applied
     * them, or a revision saved to go back to that is no longer needed. Only files older than
     * {@code retentionMs} go, so that bytes staged for a rollout still in progress, and the old
     * revision of a swap in progress, stay (issue 11 item 4).
     *
     * @param retentionMs how old an unnamed artifact must be before it is deleted, in milliseconds;
     *                    longer than any rollout and any swap
     * @param nowMs       the current time, in milliseconds since the epoch
     * @return the digests of the deleted artifacts
     * @throws IOException if the folders cannot be read
     */
    public synchronized List<String> pruneUnnamed(long retentionMs, long nowMs) throws IOException {
        java.util.Set<String> named = new java.util.HashSet<>();
        try (Stream<Path> files = Files.list(applied)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".history")) {
                    for (String line : Files.readAllLines(f)) {
                        String[] fields = line.trim().split(" ");
                        if (fields.length == 3) {
                            named.add(fields[1]);
                        }
                    }
                } else if (name.endsWith(".properties")) {
                    read(f).ifPresent(a -> named.add(a.artifact().sha256()));
                }
            }
        }
        List<String> deleted = new ArrayList<>();
        try (Stream<Path> files = Files.list(artifacts)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                String sha = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : "";
                if (SHA.matcher(sha).matches() && !named.contains(sha)
                        && nowMs - Files.getLastModifiedTime(f).toMillis() > retentionMs && Files.deleteIfExists(f)) {
                    digests.remove(f);
                    deleted.add(sha);
                }
            }
        }
        return deleted;
    }

    /**
     * The SHA-256 of a stored file as it is on disk now: computed again only when its size or
     * modification time changed since it was last computed, so that a caller who asks often (an
     * unauthenticated {@code status()} call) does not make the node hash every jar each time.
     *
     * @param file a file of this store
     * @return its digest, 64 lower-case hex characters
     * @throws IOException if it cannot be read
     */
    public String digestOf(Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        Digest known = digests.get(file);
        if (known != null && known.size() == size && known.modifiedMs() == modified) {
            return known.sha256();
        }
        String sha = Sha256.of(file);
        digests.put(file, new Digest(size, modified, sha));
        return sha;
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the artifacts of that name that ran on this node and whose bytes the store still
     *         holds, most recently applied first, each digest once
     */
    public List<ArtifactDescriptor> kept(String symbolicName) {
        if (!SAFE_NAME.matcher(symbolicName).matches()) {
            return List.of();
        }
        Path history = applied.resolve(symbolicName + ".history");
        if (!Files.isRegularFile(history)) {
            return List.of();
        }
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(history));
            java.util.Collections.reverse(lines);
            java.util.Map<String, ArtifactDescriptor> bySha = new java.util.LinkedHashMap<>();
            for (String line : lines) {
                String[] f = line.trim().split(" ");
                if (f.length == 3 && SHA.matcher(f[1]).matches() && artifact(f[1]).isPresent()) {
                    bySha.putIfAbsent(f[1], new ArtifactDescriptor(symbolicName, f[0], f[1], Long.parseLong(f[2])));
                }
            }
            return List.copyOf(bySha.values());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** @return what Hotpot last applied for that symbolic name, if anything */
    public Optional<AppliedArtifact> applied(String symbolicName) {
        if (!SAFE_NAME.matcher(symbolicName).matches()) {
            return Optional.empty();
        }
        return read(applied.resolve(symbolicName + ".properties"));
    }

    /** @return every applied record, ordered by symbolic name */
    public List<AppliedArtifact> allApplied() {
        List<AppliedArtifact> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(applied)) {
            files.filter(f -> f.getFileName().toString().endsWith(".properties")).sorted()
                    .forEach(f -> read(f).ifPresent(all::add));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + applied, e);
        }
        return all;
    }

    /**
     * Writes the state exported before an update, so that it survives a crash of the node.
     *
     * @return the file written
     * @throws IOException if it cannot be written
     */
    public Path saveSnapshot(StateSnapshot snapshot) throws IOException {
        Path target = snapshots.resolve(safe(snapshot.symbolicName()) + ".state");
        Path tmp = snapshots.resolve(safe(snapshot.symbolicName()) + ".tmp");
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(tmp))) {
            out.writeUTF(snapshot.symbolicName());
            out.writeUTF(snapshot.bundleVersion());
            out.writeInt(snapshot.schemaVersion());
            byte[] data = snapshot.data();
            out.writeInt(data.length);
            out.write(data);
            out.flush();
        }
        move(tmp, target);
        return target;
    }

    /**
     * Reads the state snapshot last written for a symbolic name.
     *
     * @return the snapshot, if one was written
     * @throws IOException if the file exists but cannot be read
     */
    public Optional<StateSnapshot> loadSnapshot(String symbolicName) throws IOException {
        Path file = snapshots.resolve(safe(symbolicName) + ".state");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (var in = new java.io.DataInputStream(Files.newInputStream(file))) {
            String bsn = in.readUTF();
            String version = in.readUTF();
            int schema = in.readInt();
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            return Optional.of(new StateSnapshot(bsn, version, schema, data));
        }
    }

    private Optional<AppliedArtifact> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            ArtifactDescriptor d = new ArtifactDescriptor(p.getProperty("symbolicName"), p.getProperty("version"),
                    p.getProperty("sha256"), Long.parseLong(p.getProperty("size")));
            return Optional.of(new AppliedArtifact(d, p.getProperty("rolloutId", "?"),
                    Long.parseLong(p.getProperty("appliedAt", "0"))));
        } catch (IOException | RuntimeException e) {
            // A damaged record means "not managed": the bundle keeps running, Hotpot just forgets it.
            return Optional.empty();
        }
    }

    private Path artifactFile(String sha256) {
        if (!SHA.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
        return artifacts.resolve(sha256 + ".jar");
    }

    private static String safe(String name) {
        if (!SAFE_NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("unsafe file name: " + name);
        }
        return name;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
