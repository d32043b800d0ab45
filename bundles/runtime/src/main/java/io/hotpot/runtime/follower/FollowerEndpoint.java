package io.hotpot.runtime.follower;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.BundleStatus;
import io.hotpot.api.FollowerService;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.apply.BundleStates;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.InboundTransfers;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * This node's {@link FollowerService}: receives chunks into {@link InboundTransfers} and hands
 * verified artifacts to the {@link BundleApplier}. Exported through Aries RSA by the node
 * component. Thread-safe.
 */
public final class FollowerEndpoint implements FollowerService {

    private static final Logger LOG = LoggerFactory.getLogger(FollowerEndpoint.class);

    private final String nodeId;
    private final InboundTransfers transfers;
    private final BundleApplier applier;
    private final ArtifactStore store;
    private final BooleanSupplier leadership;
    private final java.util.function.Consumer<ApplyReport> outcomes;

    /**
     * @param nodeId     this node
     * @param transfers  staging of incoming artifacts
     * @param applier    the apply pipeline
     * @param store      the node's artifact store, for digests in {@link #status()}
     * @param leadership whether this node leads right now
     * @param outcomes   told of every apply's report (to record the node's actual state)
     */
    public FollowerEndpoint(String nodeId, InboundTransfers transfers, BundleApplier applier, ArtifactStore store,
                            BooleanSupplier leadership, java.util.function.Consumer<ApplyReport> outcomes) {
        this.nodeId = nodeId;
        this.transfers = transfers;
        this.applier = applier;
        this.store = store;
        this.leadership = leadership;
        this.outcomes = outcomes;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public NodeStatus status() {
        List<BundleStatus> bundles = new ArrayList<>();
        for (AppliedArtifact applied : store.allApplied()) {
            Optional<Bundle> bundle = applier.installed(applied.artifact().symbolicName());
            if (bundle.isEmpty()) {
                continue;
            }
            Bundle b = bundle.get();
            bundles.add(new BundleStatus(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                    BundleStates.name(b.getState()), runningDigest(applied, b), b.getLocation()));
        }
        return new NodeStatus(nodeId, leadership.getAsBoolean(), bundles, System.currentTimeMillis());
    }

    @Override
    public TransferTicket beginTransfer(String rolloutId, ArtifactDescriptor descriptor) throws TransferException {
        TransferTicket ticket = transfers.begin(rolloutId, descriptor);
        LOG.info("Hotpot: receiving {} ({} bytes, sha256 {}) for rollout {}, resuming at byte {}",
                descriptor.coordinates(), descriptor.size(), descriptor.shortDigest(), rolloutId, ticket.resumeOffset());
        return ticket;
    }

    @Override
    public void writeChunk(String transferId, long offset, byte[] data) throws TransferException {
        transfers.write(transferId, offset, data);
    }

    @Override
    public void stage(String transferId) throws TransferException {
        InboundTransfers.Completed done = transfers.complete(transferId);
        LOG.info("Hotpot: staged {} sha256 {} for rollout {}", done.descriptor().coordinates(),
                done.descriptor().shortDigest(), done.rolloutId());
    }

    @Override
    public ApplyReport applyStored(String rolloutId, ArtifactDescriptor artifact) throws TransferException {
        Path file = store.artifact(artifact.sha256()).orElseThrow(() -> new TransferException(nodeId
                + " does not hold " + artifact.coordinates() + " sha256 " + artifact.shortDigest()));
        ApplyReport report = applier.apply(rolloutId, artifact, file);
        outcomes.accept(report);
        return report;
    }

    @Override
    public byte[] readChunk(String sha256, long offset, int length) throws TransferException {
        if (!sha256.matches("[0-9a-f]{64}") || offset < 0 || length <= 0 || length > 16 * 1024 * 1024) {
            throw new TransferException(nodeId + ": invalid readChunk(" + sha256 + ", " + offset + ", " + length + ")");
        }
        Path file = store.artifact(sha256).orElseThrow(() -> new TransferException(nodeId + " does not hold sha256 " + sha256));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long left = ch.size() - offset;
            if (left <= 0) {
                return new byte[0];
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(length, left));
            while (buffer.hasRemaining() && ch.read(buffer, offset + buffer.position()) > 0) {
                // read until full or end
            }
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            throw new TransferException(nodeId + ": cannot read sha256 " + sha256 + ": " + e.getMessage());
        }
    }

    @Override
    public void abortTransfer(String transferId) {
        transfers.abort(transferId);
    }

    private String runningDigest(AppliedArtifact applied, Bundle bundle) {
        if (!applied.artifact().version().equals(bundle.getVersion().toString())) {
            return null;
        }
        Optional<Path> file = store.artifact(applied.artifact().sha256());
        if (file.isEmpty()) {
            return null;
        }
        try {
            // Recomputed, not copied from the record: the digest shown is the bytes on this disk.
            return Sha256.of(file.get());
        } catch (IOException e) {
            return null;
        }
    }
}
