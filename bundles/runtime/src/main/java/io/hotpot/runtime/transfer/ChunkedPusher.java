package io.hotpot.runtime.transfer;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.FollowerService;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The leader's side of a transfer to one follower: {@code beginTransfer}, the chunks from the
 * follower's resume offset, then {@code stage}. Stateless and thread-safe; one call per follower
 * may run in parallel.
 */
public final class ChunkedPusher {

    private final int chunkSize;

    /**
     * @param chunkSize bytes per {@code writeChunk} call, {@code > 0}
     * @throws IllegalArgumentException if chunkSize is not positive
     */
    public ChunkedPusher(int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be > 0: " + chunkSize);
        }
        this.chunkSize = chunkSize;
    }

    /**
     * Sends an artifact to one follower and has it verify and keep the bytes, without applying
     * them. Blocks until the follower answered.
     *
     * @param nodeId    the follower, for reports
     * @param follower  its (remote) service
     * @param ticket    the leader's signed authorization of the rollout and its bytes
     * @param jar       the bytes
     * @return empty once staged; else a {@code REJECTED} report if the follower refused the bytes,
     *         or a {@code FAILED} one naming the phase in which a call failed
     */
    public Optional<ApplyReport> stage(String nodeId, FollowerService follower, SignedRolloutTicket ticket, Path jar) {
        ArtifactDescriptor artifact = ticket.ticket().artifact();
        long start = System.nanoTime();
        ApplyPhase phase = ApplyPhase.CONNECT;
        String transferId = null;
        try {
            TransferTicket transfer = follower.beginTransfer(ticket);
            transferId = transfer.transferId();
            phase = ApplyPhase.TRANSFER;
            try (InputStream in = Files.newInputStream(jar)) {
                in.skipNBytes(transfer.resumeOffset());
                long offset = transfer.resumeOffset();
                byte[] buffer = new byte[chunkSize];
                for (int n; (n = in.readNBytes(buffer, 0, chunkSize)) > 0; ) {
                    follower.writeChunk(transferId, offset, n == chunkSize ? buffer : Arrays.copyOf(buffer, n));
                    offset += n;
                }
            }
            phase = ApplyPhase.VERIFY;
            follower.stage(transferId);
            return Optional.empty();
        } catch (TransferException e) {
            if (phase == ApplyPhase.TRANSFER) {
                abortQuietly(follower, transferId);
            }
            // The follower answered and said no: nothing was touched there.
            return Optional.of(new ApplyReport(nodeId, artifact, ApplyOutcome.REJECTED, null, null, null,
                    e.phase() != null ? e.phase() : phase,
                    e.getMessage(), -1, -1, -1, (System.nanoTime() - start) / 1_000_000));
        } catch (Exception e) {
            if (transferId != null && phase == ApplyPhase.TRANSFER) {
                abortQuietly(follower, transferId);
            }
            return Optional.of(ApplyReport.unreachable(nodeId, artifact, phase, "push of " + artifact.coordinates() + " to "
                    + nodeId + " failed in phase " + phase + ": " + describe(e), (System.nanoTime() - start) / 1_000_000));
        }
    }

    private static void abortQuietly(FollowerService follower, String transferId) {
        try {
            follower.abortTransfer(transferId);
        } catch (RuntimeException ignored) {
            // The follower is unreachable; its staging file is cleaned when it restarts.
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
