package io.hotpot.runtime.transfer;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.store.ArtifactStore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The follower's side of chunked transfers: one staging file per transfer, written strictly in
 * offset order and hashed as it arrives, so that completion costs no second read.
 *
 * <p>Thread-safe: transfers are independent; calls for one transfer are serialized on it.
 */
public final class InboundTransfers {

    /** A transfer whose bytes all arrived and whose digest and size match the descriptor. */
    public record Completed(String rolloutId, ArtifactDescriptor descriptor, Path file) {
    }

    private final String nodeId;
    private final ArtifactStore store;
    private final long maxBytes;
    private final Map<String, Staging> transfers = new ConcurrentHashMap<>();

    /**
     * @param nodeId   this node, for error messages
     * @param store    where staging files and finished artifacts go
     * @param maxBytes the largest artifact accepted, in bytes
     */
    public InboundTransfers(String nodeId, ArtifactStore store, long maxBytes) {
        this.nodeId = nodeId;
        this.store = store;
        this.maxBytes = maxBytes;
    }

    /**
     * @return a ticket whose offset is the full size when the store already holds these bytes
     * @throws TransferException if the artifact is larger than the node accepts
     */
    public TransferTicket begin(String rolloutId, ArtifactDescriptor descriptor) throws TransferException {
        if (descriptor.size() > maxBytes) {
            throw new TransferException(nodeId + ": refused " + descriptor.coordinates() + ": " + descriptor.size()
                    + " bytes exceeds artifact.max.bytes=" + maxBytes);
        }
        String id = "t-" + UUID.randomUUID();
        Optional<Path> stored = store.artifact(descriptor.sha256());
        Staging staging = new Staging(rolloutId, descriptor, stored.orElse(store.stagingFile(id)), stored.isPresent());
        transfers.put(id, staging);
        return new TransferTicket(id, stored.isPresent() ? descriptor.size() : 0);
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
        final MessageDigest digest = Sha256.newDigest();
        long received;

        Staging(String rolloutId, ArtifactDescriptor descriptor, Path file, boolean complete) {
            this.rolloutId = rolloutId;
            this.descriptor = descriptor;
            this.file = file;
            this.complete = complete;
        }
    }
}
