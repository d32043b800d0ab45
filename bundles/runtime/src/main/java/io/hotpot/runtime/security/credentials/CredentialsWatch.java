package io.hotpot.runtime.security.credentials;

import io.hotpot.runtime.security.SecurityLog;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Watches the cluster's credentials file and hands each new, usable content to a consumer, the way
 * Felix FileInstall acts on a file: only once it is stable, that is, unchanged between two polls,
 * so that a file still being copied in is not read half-written. A content that cannot be used (a
 * wrong mode, a missing key, a key that does not decode) is reported once and otherwise ignored:
 * the node keeps running on the credentials it has, rather than stopping for a typo.
 *
 * <p>Lifecycle {@code LATENT → STARTED → CLOSED}, by {@code compareAndSet}; polls run on one daemon
 * thread of its own. Thread-safe.
 */
public final class CredentialsWatch implements Closeable {

    private enum State { LATENT, STARTED, CLOSED }

    /** What the consumer is told of: the parsed credentials, and the digest of the file's bytes and mode. */
    public record Credentials(ClusterSecrets secrets, String sha256) {
    }

    private final SecretsFile file;
    private final long pollMs;
    private final Consumer<Credentials> onChange;
    private final SecurityLog log;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotpot-credentials-watch");
        t.setDaemon(true);
        return t;
    });

    /** Guarded by this: the digest last seen, the digest last handed over or reported. */
    private String seen;
    private String acted;

    /**
     * @param file     the credentials file
     * @param pollMs   how often to look at it, in milliseconds; a change is acted on within two polls
     * @param onChange told of each new usable content, on the watch's thread (the first one on the
     *                 caller's thread, within {@link #start()})
     * @param log      where unusable contents are reported
     * @throws IllegalArgumentException if pollMs is not positive
     */
    public CredentialsWatch(SecretsFile file, long pollMs, Consumer<Credentials> onChange, SecurityLog log) {
        if (pollMs <= 0) {
            throw new IllegalArgumentException("pollMs must be > 0: " + pollMs);
        }
        this.file = Objects.requireNonNull(file, "file");
        this.pollMs = pollMs;
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Reads the file once, now, and hands its content over if it is usable (a file that exists when
     * the node starts needs no second look), then polls.
     *
     * @return whether the content was usable
     * @throws IllegalStateException if already started or closed
     */
    public boolean start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("already " + state.get());
        }
        boolean usable;
        synchronized (this) {
            Optional<String> digest = digest();
            seen = digest.orElse(null);
            usable = digest.isPresent() && act(digest.get());
        }
        poller.scheduleWithFixedDelay(this::poll, pollMs, pollMs, TimeUnit.MILLISECONDS);
        return usable;
    }

    /** One look at the file: acts on a content that differs from the last one acted on and is stable. */
    synchronized void poll() {
        if (state.get() != State.STARTED) {
            return;
        }
        Optional<String> digest = digest();
        String now = digest.orElse(null);
        boolean stable = Objects.equals(now, seen);
        seen = now;
        if (now != null && stable && !now.equals(acted)) {
            act(now);
        }
    }

    /** @return whether the content with that digest was usable and handed over */
    private boolean act(String digest) {
        acted = digest;
        ClusterSecrets secrets;
        try {
            secrets = file.read();
            ClusterKeys.decode(secrets);
        } catch (IOException | RuntimeException e) {
            log.weakness("cannot use the credentials in " + file.file() + ", the node keeps the ones it runs on, if any: "
                    + e.getMessage());
            return false;
        }
        onChange.accept(new Credentials(secrets, digest));
        return true;
    }

    private Optional<String> digest() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(file.file()));
            // The mode counts as a change too: a file refused for its mode is used once it is chmod 600.
            java.nio.file.attribute.PosixFileAttributeView posix = Files.getFileAttributeView(file.file(),
                    java.nio.file.attribute.PosixFileAttributeView.class);
            if (posix != null) {
                sha.update(java.nio.file.attribute.PosixFilePermissions.toString(posix.readAttributes().permissions())
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            return Optional.of(java.util.HexFormat.of().formatHex(sha.digest()));
        } catch (IOException e) {
            // Missing, or unreadable now (being replaced, say): the next poll looks again.
            return Optional.empty();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Stops polling; idempotent. Returns at once; a poll in progress finishes on its own. */
    @Override
    public void close() {
        state.set(State.CLOSED);
        poller.shutdownNow();
    }
}
