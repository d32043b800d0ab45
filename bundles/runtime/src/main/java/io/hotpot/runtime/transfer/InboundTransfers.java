package io.hotpot.runtime.transfer;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.store.ArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The follower's side of chunked transfers: one staging file per transfer, written strictly in
 * offset order and hashed as it arrives, so that completion costs no second read.
 *
 * <p>Bounded (issue 11 item 4), because a begun transfer costs heap and up to
 * {@code artifact.max.bytes} of disk, and a caller that holds one valid ticket could otherwise
 * begin any number: at most {@link Limits#maxConcurrent()} transfers are in progress on the node,
 * at most {@link Limits#PER_ARTIFACT} of them for one rollout's artifact, and a transfer that
 * received nothing for {@link Limits#idleTimeoutMs()} is dropped with its staging file. So the disk
 * that staging can take is bounded by {@code maxConcurrent × maxBytes}.
 *
 * <p>Thread-safe: transfers are independent; calls for one transfer are serialized on it; begins
 * are serialized on the instance, so the bounds hold under concurrent callers.
 */
public final class InboundTransfers {

    private static final Logger LOG = LoggerFactory.getLogger(InboundTransfers.class);

    /** A transfer whose bytes all arrived and whose digest and size match the descriptor. */
    public record Completed(String rolloutId, ArtifactDescriptor descriptor, Path file) {
    }

    /**
     * The bounds of a node's inbound transfers.
     *
     * @param maxBytes      the largest artifact accepted, in bytes ({@code artifact.max.bytes})
     * @param maxConcurrent how many transfers may be in progress at once ({@code transfer.max.concurrent})
     * @param idleTimeoutMs after how long without a chunk a transfer is dropped, in milliseconds
     *                      ({@code transfer.idle.timeout.ms})
     */
    public record Limits(long maxBytes, int maxConcurrent, long idleTimeoutMs) {

        /**
         * Transfers in progress for one artifact of one rollout: the leader's, and one more for a
         * leader that begins again before its abandoned one expired.
         */
        public static final int PER_ARTIFACT = 2;

        /** @throws IllegalArgumentException naming the setting whose value is not positive */
        public Limits {
            if (maxBytes <= 0) {
                throw new IllegalArgumentException("artifact.max.bytes must be > 0: " + maxBytes);
            }
            if (maxConcurrent <= 0) {
                throw new IllegalArgumentException("transfer.max.concurrent must be > 0: " + maxConcurrent);
            }
            if (idleTimeoutMs <= 0) {
                throw new IllegalArgumentException("transfer.idle.timeout.ms must be > 0: " + idleTimeoutMs);
            }
        }
    }

    /** A begin refused because the node's bounds are reached; nothing was opened. */
    public static final class LimitReached extends TransferException {
        private static final long serialVersionUID = 1L;

        LimitReached(String message) {
            super(message);
        }
    }

    private final String nodeId;
    private final ArtifactStore store;
    private final Limits limits;
    private final LongSupplier clockMs;
    private final Map<String, Staging> transfers = new ConcurrentHashMap<>();

    /**
     * @param nodeId  this node, for error messages
     * @param store   where staging files and finished artifacts go
     * @param limits  the bounds
     * @param clockMs a monotonic clock, in milliseconds, for the idle timeout
     */
    public InboundTransfers(String nodeId, ArtifactStore store, Limits limits, LongSupplier clockMs) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.store = Objects.requireNonNull(store, "store");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
    }

    /**
     * With the default bounds of {@code transfer.max.concurrent} (16) and
     * {@code transfer.idle.timeout.ms} (60 s), on the system's monotonic clock.
     *
     * @param maxBytes the largest artifact accepted, in bytes
     */
    public InboundTransfers(String nodeId, ArtifactStore store, long maxBytes) {
        this(nodeId, store, new Limits(maxBytes, 16, 60_000), () -> System.nanoTime() / 1_000_000);
    }

    /**
     * A transfer that no signed ticket stands for: the node's own fetch from another node.
     *
     * @see #begin(String, ArtifactDescriptor, SignedRolloutTicket)
     */
    public TransferTicket begin(String rolloutId, ArtifactDescriptor descriptor) throws TransferException {
        return begin(rolloutId, descriptor, null);
    }

    /**
     * Begins a transfer, after dropping the transfers that stayed idle too long.
     *
     * @param ticket the verified ticket the caller presented, kept with the transfer until it is
     *               staged ({@link #ticket}); null for the node's own fetches
     * @return a ticket whose offset is the full size when the store already holds these bytes
     * @throws LimitReached      if {@link Limits#maxConcurrent()} transfers are in progress, or
     *                           {@link Limits#PER_ARTIFACT} for this rollout's artifact
     * @throws TransferException if the artifact is larger than the node accepts
     */
    public synchronized TransferTicket begin(String rolloutId, ArtifactDescriptor descriptor, SignedRolloutTicket ticket)
            throws TransferException {
        if (descriptor.size() > limits.maxBytes()) {
            throw new TransferException(nodeId + ": refused " + descriptor.coordinates() + ": " + descriptor.size()
                    + " bytes exceeds artifact.max.bytes=" + limits.maxBytes());
        }
        expireIdle();
        if (transfers.size() >= limits.maxConcurrent()) {
            throw new LimitReached(nodeId + ": refused a transfer of " + descriptor.coordinates() + " for rollout "
                    + rolloutId + ": " + transfers.size() + " transfers in progress, transfer.max.concurrent="
                    + limits.maxConcurrent() + " (an idle one is dropped after transfer.idle.timeout.ms="
                    + limits.idleTimeoutMs() + ")");
        }
        long same = transfers.values().stream().filter(t -> t.rolloutId.equals(rolloutId)
                && t.descriptor.sha256().equals(descriptor.sha256())).count();
        if (same >= Limits.PER_ARTIFACT) {
            throw new LimitReached(nodeId + ": refused a transfer of " + descriptor.coordinates() + " for rollout "
                    + rolloutId + ": " + same + " transfers of it are in progress already, at most "
                    + Limits.PER_ARTIFACT + " per artifact of a rollout");
        }
        String id = "t-" + UUID.randomUUID();
        Optional<Path> stored = store.artifact(descriptor.sha256());
        Staging staging = new Staging(rolloutId, descriptor, stored.orElse(store.stagingFile(id)), stored.isPresent(),
                ticket, clockMs.getAsLong());
        transfers.put(id, staging);
        return new TransferTicket(id, stored.isPresent() ? descriptor.size() : 0);
    }

    /**
     * Drops every transfer that received nothing for {@link Limits#idleTimeoutMs()}, and deletes
     * its staging file; called by every {@link #begin}.
     *
     * @return how many were dropped
     */
    private int expireIdle() {
        long now = clockMs.getAsLong();
        int dropped = 0;
        for (Map.Entry<String, Staging> e : transfers.entrySet()) {
            Staging staging = e.getValue();
            synchronized (staging) {
                if (now - staging.lastActivityMs >= limits.idleTimeoutMs() && transfers.remove(e.getKey(), staging)) {
                    if (!staging.complete) {
                        deleteQuietly(staging.file);
                    }
                    dropped++;
                    LOG.info("Hotpot: node {} dropped transfer {} of {} for rollout {}: nothing arrived for {} ms"
                            + " (transfer.idle.timeout.ms)", nodeId, e.getKey(), staging.descriptor.coordinates(),
                            staging.rolloutId, now - staging.lastActivityMs);
                }
            }
        }
        return dropped;
    }

    /** @return the signed ticket a transfer in progress was begun with, if any */
    public Optional<SignedRolloutTicket> ticket(String transferId) {
        Staging staging = transfers.get(transferId);
        return staging == null ? Optional.empty() : Optional.ofNullable(staging.ticket);
    }

    /**
     * @throws TransferException if the id is unknown, the offset is not the next expected byte, or
     *                           the chunk runs past the announced size
     */
    public void write(String transferId, long offset, byte[] data) throws TransferException {
        Staging staging = get(transferId);
        synchronized (staging) {
            if (staging.complete) {
                throw new TransferException(nodeId + ": transfer " + transferId + " of "
                        + staging.descriptor.coordinates() + " already holds all its bytes");
            }
            if (offset != staging.received) {
                throw new TransferException(nodeId + ": transfer " + transferId + " of " + staging.descriptor.coordinates()
                        + " expected offset " + staging.received + " but got " + offset);
            }
            if (data.length == 0 || staging.received + data.length > staging.descriptor.size()) {
                throw new TransferException(nodeId + ": transfer " + transferId + " of " + staging.descriptor.coordinates()
                        + ": chunk of " + data.length + " bytes at " + offset + " does not fit the announced "
                        + staging.descriptor.size() + " bytes");
            }
            try (OutputStream out = Files.newOutputStream(staging.file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(data);
            } catch (IOException e) {
                throw new TransferException(nodeId + ": cannot write " + staging.file + ": " + e.getMessage());
            }
            staging.digest.update(data);
            staging.received += data.length;
            staging.lastActivityMs = clockMs.getAsLong();
        }
    }

    /**
     * Ends a transfer: checks size and digest, and moves the bytes into the store.
     *
     * @return the verified artifact file
     * @throws TransferException if the id is unknown, bytes are missing, or the digest differs;
     *                           the staging file is deleted in that case
     */
    public Completed complete(String transferId) throws TransferException {
        return complete(transferId, this::checkDigest);
    }

    /** The check that received bytes pass before they are kept. */
    @FunctionalInterface
    public interface Admission {
        /**
         * @param file       the received bytes
         * @param descriptor what the transfer announced
         * @param received   the number of bytes received and their SHA-256, computed as they arrived
         * @throws TransferException to refuse the bytes; they are then not kept
         */
        void admit(Path file, ArtifactDescriptor descriptor, Received received) throws TransferException;
    }

    /**
     * What arrived for a transfer.
     *
     * @param bytes  how many bytes, in bytes
     * @param sha256 their SHA-256, 64 lower-case hex characters
     */
    public record Received(long bytes, String sha256) {
    }

    /**
     * Ends a transfer: the admission decides whether the bytes enter the store. It must check the
     * size and digest, as {@link #complete(String)}'s does, or check them itself from the file.
     *
     * @throws TransferException if the id is unknown, or as the admission refuses; the staging file
     *                           is deleted then
     */
    public Completed complete(String transferId, Admission admission) throws TransferException {
        Staging staging = transfers.remove(transferId);
        if (staging == null) {
            throw new TransferException(nodeId + ": unknown transfer " + transferId);
        }
        synchronized (staging) {
            ArtifactDescriptor d = staging.descriptor;
            if (staging.complete) {
                admission.admit(staging.file, d, new Received(d.size(), d.sha256()));
                return new Completed(staging.rolloutId, d, staging.file);
            }
            try {
                String actual = Sha256.hex(staging.digest);
                admission.admit(staging.file, d, new Received(staging.received, actual));
                if (staging.received != d.size() || !actual.equals(d.sha256())) {
                    // An admission must not let these through; this stays as the last line.
                    throw new TransferException(nodeId + ": " + d.coordinates() + ": admitted bytes do not match");
                }
                return new Completed(staging.rolloutId, d, store.commit(staging.file, actual));
            } catch (TransferException e) {
                deleteQuietly(staging.file);
                throw e;
            } catch (IOException e) {
                deleteQuietly(staging.file);
                throw new TransferException(nodeId + ": cannot store " + d.coordinates() + ": " + e.getMessage());
            }
        }
    }

    /** The size and digest check of {@link #complete(String)}. */
    private void checkDigest(Path file, ArtifactDescriptor d, Received received) throws TransferException {
        if (received.bytes() != d.size()) {
            throw new TransferException(nodeId + ": " + d.coordinates() + " incomplete: received "
                    + received.bytes() + " of " + d.size() + " bytes");
        }
        if (!received.sha256().equals(d.sha256())) {
            throw new TransferException(nodeId + ": " + d.coordinates() + " digest mismatch: expected sha256 "
                    + d.sha256() + " but the received bytes hash to " + received.sha256());
        }
    }

    /** Drops a transfer and its staging file; unknown ids are ignored. */
    public void abort(String transferId) {
        Staging staging = transfers.remove(transferId);
        if (staging != null && !staging.complete) {
            deleteQuietly(staging.file);
        }
    }

    /** @return the descriptor announced for a transfer in progress, if the id is known */
    public Optional<ArtifactDescriptor> descriptor(String transferId) {
        Staging staging = transfers.get(transferId);
        return staging == null ? Optional.empty() : Optional.of(staging.descriptor);
    }

    /** @return the number of transfers in progress */
    public int inProgress() {
        return transfers.size();
    }

    private Staging get(String transferId) throws TransferException {
        Staging staging = transfers.get(transferId);
        if (staging == null) {
            throw new TransferException(nodeId + ": unknown transfer " + transferId);
        }
        return staging;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover staging file is harmless: the next start of the node may clean it.
        }
    }

    private static final class Staging {
        final String rolloutId;
        final ArtifactDescriptor descriptor;
        final Path file;
        final boolean complete;
        final SignedRolloutTicket ticket;
        final MessageDigest digest = Sha256.newDigest();
        long received;
        long lastActivityMs;

        Staging(String rolloutId, ArtifactDescriptor descriptor, Path file, boolean complete, SignedRolloutTicket ticket,
                long now) {
            this.rolloutId = rolloutId;
            this.descriptor = descriptor;
            this.file = file;
            this.complete = complete;
            this.ticket = ticket;
            this.lastActivityMs = now;
        }
    }
}
