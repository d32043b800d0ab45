package io.hotpot.runtime.transfer;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.FollowerService;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.store.ArtifactStore;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The leader's pusher against a follower backed by the real {@link InboundTransfers} and store, with no network. */
public class ChunkedPusherTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void stagesEveryByteInChunksOnTheFollower() throws Exception {
        byte[] bytes = new byte[1_000_003];
        new Random(1).nextBytes(bytes);
        Path jar = tmp.newFile("a.jar").toPath();
        Files.write(jar, bytes);
        ArtifactDescriptor d = new ArtifactDescriptor("org.example", "1.0.0", Sha256.of(jar), bytes.length);
        ArtifactStore store = new ArtifactStore(tmp.newFolder("n2").toPath(), 3);
        RecordingFollower follower = new RecordingFollower(new InboundTransfers("n2", store, 10_000_000));

        Optional<ApplyReport> failure = new ChunkedPusher(256 * 1024).stage("n2", follower, ticket(d), jar);

        assertEquals(Optional.empty(), failure);
        assertEquals(List.of(262144, 262144, 262144, 213571), follower.chunkSizes);
        assertArrayEquals(bytes, Files.readAllBytes(store.artifact(d.sha256()).orElseThrow()));
    }

    @Test
    public void bytesThatDoNotMatchTheDigestAreRejectedInVerify() throws Exception {
        Path jar = tmp.newFile("c.jar").toPath();
        Files.write(jar, new byte[100]);
        ArtifactDescriptor lie = new ArtifactDescriptor("org.example", "1.0.0", "ab".repeat(32), 100);
        ArtifactStore store = new ArtifactStore(tmp.newFolder("n4").toPath(), 3);

        ApplyReport report = new ChunkedPusher(64).stage("n4", new RecordingFollower(new InboundTransfers("n4", store,
                1000)), ticket(lie), jar).orElseThrow();

        assertEquals(ApplyOutcome.REJECTED, report.outcome());
        assertEquals(ApplyPhase.VERIFY, report.failedPhase());
        assertTrue(report.message(), report.message().contains("digest mismatch"));
        assertEquals(Optional.empty(), store.artifact(lie.sha256()));
    }

    @Test
    public void aFollowerThatThrowsIsReportedWithThePhase() throws Exception {
        Path jar = tmp.newFile("b.jar").toPath();
        Files.write(jar, new byte[10]);
        ArtifactDescriptor d = new ArtifactDescriptor("org.example", "1.0.0", Sha256.of(jar), 10);
        FollowerService down = new RecordingFollower(null) {
            @Override
            public TransferTicket beginTransfer(SignedRolloutTicket ticket) {
                throw new IllegalStateException("connection refused");
            }
        };
        ApplyReport report = new ChunkedPusher(4).stage("n3", down, ticket(d), jar).orElseThrow();
        assertEquals(ApplyOutcome.FAILED, report.outcome());
        assertEquals(ApplyPhase.CONNECT, report.failedPhase());
        assertTrue(report.message(), report.message().contains("n3") && report.message().contains("connection refused"));
    }

    /** The pusher only carries the ticket; signatures are checked by the follower (RolloutVerifierTest). */
    private static SignedRolloutTicket ticket(ArtifactDescriptor d) {
        return new SignedRolloutTicket(new RolloutTicket("r1", 1, d, "n1", false), new byte[SignedRolloutTicket.SIGNATURE_BYTES]);
    }

    private static class RecordingFollower implements FollowerService {
        final InboundTransfers transfers;
        final List<Integer> chunkSizes = new ArrayList<>();

        RecordingFollower(InboundTransfers transfers) {
            this.transfers = transfers;
        }

        @Override
        public String nodeId() {
            return "n2";
        }

        @Override
        public io.hotpot.api.MembershipProof prove(byte[] challenge) {
            throw new UnsupportedOperationException("not part of a transfer");
        }

        @Override
        public NodeStatus status() {
            return new NodeStatus("n2", false, List.of(), 0);
        }

        @Override
        public TransferTicket beginTransfer(SignedRolloutTicket ticket) throws TransferException {
            return transfers.begin(ticket.ticket().rolloutId(), ticket.ticket().artifact());
        }

        @Override
        public void writeChunk(String transferId, long offset, byte[] data) throws TransferException {
            chunkSizes.add(data.length);
            transfers.write(transferId, offset, data);
        }

        @Override
        public void stage(String transferId) throws TransferException {
            transfers.complete(transferId);
        }

        @Override
        public io.hotpot.api.SignedApplyReport applyStored(SignedRolloutTicket ticket) {
            throw new UnsupportedOperationException("not part of a transfer");
        }

        @Override
        public byte[] readChunk(String sha256, long offset, int length) {
            return new byte[0];
        }

        @Override
        public io.hotpot.api.ApplyPreview preview(SignedRolloutTicket ticket, byte[] manifest) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stageSet(java.util.List<SignedRolloutTicket> tickets) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.List<io.hotpot.api.SignedApplyReport> applyStoredSet(java.util.List<SignedRolloutTicket> tickets) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void abortTransfer(String transferId) {
            transfers.abort(transferId);
        }
    }
}
