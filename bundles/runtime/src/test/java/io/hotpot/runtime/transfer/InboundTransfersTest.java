package io.hotpot.runtime.transfer;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.store.ArtifactStore;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class InboundTransfersTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ArtifactStore store;
    private InboundTransfers transfers;
    private byte[] bytes;
    private ArtifactDescriptor descriptor;

    @Before
    public void setUp() throws Exception {
        store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        transfers = new InboundTransfers("node2", store, 1_000_000);
        bytes = new byte[100_000];
        new Random(7).nextBytes(bytes);
        java.nio.file.Path f = tmp.newFile("src").toPath();
        Files.write(f, bytes);
        descriptor = new ArtifactDescriptor("org.example", "1.0.0", Sha256.of(f), bytes.length);
    }

    @Test
    public void chunksInOrderProduceTheVerifiedArtifact() throws Exception {
        TransferTicket t = transfers.begin("r1", descriptor);
        assertEquals(0, t.resumeOffset());
        for (int off = 0; off < bytes.length; off += 30_000) {
            transfers.write(t.transferId(), off, Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + 30_000)));
        }
        InboundTransfers.Completed done = transfers.complete(t.transferId());
        assertArrayEquals(bytes, Files.readAllBytes(done.file()));
        assertEquals(descriptor, done.descriptor());
        assertEquals(0, transfers.inProgress());
    }

    @Test
    public void aStoredArtifactIsNotSentAgain() throws Exception {
        TransferTicket first = transfers.begin("r1", descriptor);
        transfers.write(first.transferId(), 0, bytes);
        transfers.complete(first.transferId());
        TransferTicket second = transfers.begin("r2", descriptor);
        assertEquals(bytes.length, second.resumeOffset());
        assertArrayEquals(bytes, Files.readAllBytes(transfers.complete(second.transferId()).file()));
    }

    @Test
    public void aChunkAtTheWrongOffsetIsRefused() throws Exception {
        TransferTicket t = transfers.begin("r1", descriptor);
        transfers.write(t.transferId(), 0, Arrays.copyOf(bytes, 10));
        TransferException e = assertThrows(TransferException.class,
                () -> transfers.write(t.transferId(), 20, Arrays.copyOfRange(bytes, 20, 30)));
        assertTrue(e.getMessage(), e.getMessage().contains("expected offset 10 but got 20"));
    }

    @Test
    public void aTamperedChunkFailsTheDigestAndLeavesNothingStored() throws Exception {
        TransferTicket t = transfers.begin("r1", descriptor);
        byte[] tampered = bytes.clone();
        tampered[500] ^= 1;
        transfers.write(t.transferId(), 0, tampered);
        TransferException e = assertThrows(TransferException.class, () -> transfers.complete(t.transferId()));
        assertTrue(e.getMessage(), e.getMessage().contains("digest mismatch"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("node2: org.example/1.0.0"));
        assertFalse(store.artifact(descriptor.sha256()).isPresent());
    }

    @Test
    public void missingBytesFailCompletion() throws Exception {
        TransferTicket t = transfers.begin("r1", descriptor);
        transfers.write(t.transferId(), 0, Arrays.copyOf(bytes, 1000));
        TransferException e = assertThrows(TransferException.class, () -> transfers.complete(t.transferId()));
        assertTrue(e.getMessage(), e.getMessage().contains("received 1000 of 100000 bytes"));
    }

    @Test
    public void moreBytesThanAnnouncedAreRefused() throws Exception {
        TransferTicket t = transfers.begin("r1", descriptor);
        transfers.write(t.transferId(), 0, bytes);
        assertThrows(TransferException.class, () -> transfers.write(t.transferId(), bytes.length, new byte[1]));
    }

    @Test
    public void anArtifactOverTheLimitIsRefusedBeforeAnyByte() {
        ArtifactDescriptor big = new ArtifactDescriptor("org.example", "1.0.0", descriptor.sha256(), 2_000_000);
        TransferException e = assertThrows(TransferException.class, () -> transfers.begin("r1", big));
        assertTrue(e.getMessage(), e.getMessage().contains("artifact.max.bytes=1000000"));
    }

    @Test
    public void unknownTransferIdsAreRefused() {
        assertThrows(TransferException.class, () -> transfers.write("t-nope", 0, new byte[1]));
        assertThrows(TransferException.class, () -> transfers.complete("t-nope"));
    }

    /**
     * Issue 11 item 4: one valid ticket no longer opens any number of transfers. Before the bounds,
     * every begin below succeeded and kept its staging file and heap for as long as the node ran.
     */
    @Test
    public void transfersAreBoundedPerArtifactAndPerNodeAndIdleOnesAreDropped() throws Exception {
        long[] now = {0};
        InboundTransfers bounded = new InboundTransfers("node2", store, new InboundTransfers.Limits(1_000_000, 3, 60_000),
                () -> now[0]);
        TransferTicket first = bounded.begin("r1", descriptor);
        TransferTicket second = bounded.begin("r1", descriptor);
        bounded.write(first.transferId(), 0, Arrays.copyOf(bytes, 10));
        bounded.write(second.transferId(), 0, Arrays.copyOf(bytes, 10));
        TransferException perArtifact = assertThrows(InboundTransfers.LimitReached.class, () -> bounded.begin("r1", descriptor));
        assertTrue(perArtifact.getMessage(), perArtifact.getMessage().contains("at most 2 per artifact of a rollout"));

        ArtifactDescriptor other = new ArtifactDescriptor("org.example.other", "1.0.0", "0".repeat(64), 10);
        TransferTicket third = bounded.begin("r2", other);
        TransferException perNode = assertThrows(InboundTransfers.LimitReached.class, () -> bounded.begin("r3", other));
        assertTrue(perNode.getMessage(), perNode.getMessage().contains("3 transfers in progress, transfer.max.concurrent=3"));
        assertEquals(3, bounded.inProgress());
        assertEquals("what staging holds is bounded by the transfers in progress", 2, stagingFiles());

        // The first keeps receiving; the others stay idle past the timeout and are dropped at the next begin.
        now[0] = 59_000;
        bounded.write(first.transferId(), 10, Arrays.copyOfRange(bytes, 10, 20));
        now[0] = 60_000;
        TransferTicket fourth = bounded.begin("r3", other);
        assertEquals(2, bounded.inProgress());
        assertEquals("the dropped transfer's staging file is deleted", 1, stagingFiles());
        assertThrows(TransferException.class, () -> bounded.write(second.transferId(), 10, new byte[1]));
        assertThrows(TransferException.class, () -> bounded.write(third.transferId(), 0, new byte[1]));
        bounded.write(fourth.transferId(), 0, new byte[1]);
        for (int off = 20; off < bytes.length; off += 30_000) {
            bounded.write(first.transferId(), off, Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + 30_000)));
        }
        assertArrayEquals(bytes, Files.readAllBytes(bounded.complete(first.transferId()).file()));
    }

    private long stagingFiles() throws Exception {
        try (var files = Files.list(tmp.getRoot().toPath().resolve("staging"))) {
            return files.count();
        }
    }
}
