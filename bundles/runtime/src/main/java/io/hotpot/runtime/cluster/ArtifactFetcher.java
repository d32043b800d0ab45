package io.hotpot.runtime.cluster;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.InboundTransfers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Gets an artifact's bytes into this node's store: from the store itself, else from the given
 * nodes, then from any node whose endpoint is imported, through {@code FollowerService.readChunk},
 * staged and checked by size and SHA-256 like a push. Thread-safe.
 */
public final class ArtifactFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactFetcher.class);

    private final String nodeId;
    private final ArtifactStore store;
    private final FollowerDirectory directory;
    private final InboundTransfers transfers;
    private final int chunkSize;

    /**
     * @param nodeId    this node
     * @param store     this node's store
     * @param directory the other nodes' endpoints
     * @param transfers staging and digest check
     * @param chunkSize bytes per read call, {@code > 0}
     * @throws IllegalArgumentException if chunkSize is not positive
     */
    public ArtifactFetcher(String nodeId, ArtifactStore store, FollowerDirectory directory, InboundTransfers transfers,
                    int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be > 0: " + chunkSize);
        }
        this.nodeId = nodeId;
        this.store = store;
        this.directory = directory;
        this.transfers = transfers;
        this.chunkSize = chunkSize;
    }

    /**
     * Blocks until the bytes are stored here, or every source failed.
     *
     * @param rolloutId the rollout the bytes belong to, for the staging record
     * @param a         the artifact
     * @param preferred nodes to ask first, in order (the leader, say)
     * @return the stored file, or empty if no node could provide verified bytes (logged)
     */
    public Optional<Path> fetch(String rolloutId, ArtifactDescriptor a, Collection<String> preferred) {
        return fetch(rolloutId, a, preferred, null);
    }

    /**
     * As {@link #fetch(String, ArtifactDescriptor, Collection)}, with one more check of fetched
     * bytes before they enter the store (bytes already stored are returned unchecked).
     *
     * @param admission checks size, digest and whatever else, e.g. against the signed ticket; null
     *                  for the size and digest check alone
     */
    public Optional<Path> fetch(String rolloutId, ArtifactDescriptor a, Collection<String> preferred,
                                InboundTransfers.Admission admission) {
        Optional<Path> local = store.artifact(a.sha256());
        if (local.isPresent()) {
            return local;
        }
        Set<String> sources = new LinkedHashSet<>(preferred);
        sources.addAll(directory.nodeIds());
        sources.remove(nodeId);
        List<String> failures = new ArrayList<>();
        for (String source : sources) {
            Optional<FollowerDirectory.Endpoint> endpoint = directory.find(source);
            if (endpoint.isEmpty()) {
                continue;
            }
            String transferId = null;
            try {
                TransferTicket ticket = transfers.begin(rolloutId, a);
                transferId = ticket.transferId();
                for (long offset = ticket.resumeOffset(); offset < a.size(); ) {
                    byte[] chunk = endpoint.get().service().readChunk(a.sha256(), offset,
                            (int) Math.min(chunkSize, a.size() - offset));
                    if (chunk.length == 0) {
                        throw new TransferException(source + " returned no bytes at offset " + offset);
                    }
                    transfers.write(transferId, offset, chunk);
                    offset += chunk.length;
                }
                return Optional.of((admission == null ? transfers.complete(transferId)
                        : transfers.complete(transferId, admission)).file());
            } catch (Exception e) {
                if (transferId != null) {
                    transfers.abort(transferId);
                }
                failures.add(source + ": " + e.getMessage());
            }
        }
        LOG.warn("Hotpot: node {} cannot fetch {} sha256 {} from any node yet: {}", nodeId, a.coordinates(),
                a.shortDigest(), failures.isEmpty() ? "no endpoint imported" : failures);
        return Optional.empty();
    }
}
