package io.hotpot.runtime.store;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.artifact.Sha256;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ArtifactStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void storesBytesByDigestAndRemembersWhatWasApplied() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        Path file = store.put(new ByteArrayInputStream("hello".getBytes()));
        String sha = Sha256.of(file);
        assertEquals(file, store.artifact(sha).orElseThrow());
        ArtifactDescriptor d = new ArtifactDescriptor("org.example", "1.0.0", sha, 5);
        store.recordApplied(d, "r-1");

        // A new instance over the same folder sees the same record: it survives a restart.
        ArtifactStore reopened = new ArtifactStore(tmp.getRoot().toPath(), 3);
        assertEquals(d, reopened.applied("org.example").orElseThrow().artifact());
        assertEquals("r-1", reopened.applied("org.example").orElseThrow().rolloutId());
        assertEquals(1, reopened.allApplied().size());
    }

    @Test
    public void keepsTheVersionsThatRanNewestFirstWhileTheirBytesAreStored() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        ArtifactDescriptor v1 = descriptor(store, "one", "1.0.0");
        ArtifactDescriptor v2 = descriptor(store, "two", "2.0.0");
        store.recordApplied(v1, "r1");
        store.recordApplied(v2, "r2");
        store.recordApplied(v1, "r3");
        assertEquals(java.util.List.of(v1, v2), store.kept("org.example"));
        Files.delete(store.artifact(v2.sha256()).orElseThrow());
        assertEquals(java.util.List.of(v1), store.kept("org.example"));
        assertEquals(java.util.List.of(), store.kept("org.unknown"));
    }

    private static ArtifactDescriptor descriptor(ArtifactStore store, String content, String version) throws IOException {
        Path file = store.put(new ByteArrayInputStream(content.getBytes()));
        return new ArtifactDescriptor("org.example", version, Sha256.of(file), Files.size(file));
    }

    @Test
    public void stagingRefusesStreamsOverTheLimitAndLeavesNoFile() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        assertThrows(IOException.class, () -> store.stage(new ByteArrayInputStream(new byte[100]), 99));
        try (var files = Files.list(tmp.getRoot().toPath().resolve("staging"))) {
            assertEquals(0, files.count());
        }
    }

    @Test
    public void namesThatCouldEscapeTheFolderAreRefused() {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        assertThrows(IllegalArgumentException.class, () -> store.stagingFile("../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> store.artifact("../x"));
        assertFalse(store.applied("../secret").isPresent());
    }

    @Test
    public void snapshotsAreWrittenToDisk() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        Path file = store.saveSnapshot(new StateSnapshot("org.example", "1.0.0", 1, new byte[]{1, 2, 3}));
        assertTrue(Files.size(file) > 3);
        byte[] all = Files.readAllBytes(file);
        assertArrayEquals(new byte[]{1, 2, 3}, java.util.Arrays.copyOfRange(all, all.length - 3, all.length));
    }

    @Test
    public void keepsTheLastVersionsOfEachBundleAndDeletesTheBytesOfOlderOnes() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 2);
        List<ArtifactDescriptor> applied = new java.util.ArrayList<>();
        for (int v = 1; v <= 4; v++) {
            byte[] bytes = ("version " + v).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Path file = store.put(new ByteArrayInputStream(bytes));
            ArtifactDescriptor d = new ArtifactDescriptor("org.example", v + ".0.0", Sha256.of(file), bytes.length);
            store.recordApplied(d, "r" + v);
            applied.add(d);
        }
        assertEquals(List.of(applied.get(3), applied.get(2)), store.kept("org.example"));
        assertFalse(store.artifact(applied.get(0).sha256()).isPresent());
        assertFalse(store.artifact(applied.get(1).sha256()).isPresent());
        assertTrue(store.artifact(applied.get(2).sha256()).isPresent());
        assertThrows(IllegalArgumentException.class, () -> new ArtifactStore(tmp.getRoot().toPath(), 1));
    }

    /**
     * Issue 11 item 4: staging is emptied at a start, and bytes that nothing runs or keeps (staged for
     * a rollout that halted) go once older than the retention. Before, both stayed for good.
     */
    @Test
    public void stagingIsClearedAndUnnamedBytesArePrunedAfterTheRetention() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3, 1_000);
        Files.writeString(store.stagingFile("t-left-by-a-crash"), "half");
        Path staged = store.stage(new ByteArrayInputStream("download".getBytes()), 100);
        assertEquals(2, store.clearStaging());
        assertFalse(Files.exists(staged));

        ArtifactDescriptor running = descriptor(store, "runs", "1.0.0");
        store.recordApplied(running, "r1");
        Path halted = store.put(new ByteArrayInputStream("staged for a rollout that halted".getBytes()));
        String haltedSha = Sha256.of(halted);
        long now = System.currentTimeMillis();
        assertEquals("within the retention nothing goes", List.of(), store.pruneUnnamed(1_000, now));
        assertEquals(List.of(haltedSha), store.pruneUnnamed(1_000, now + 5_000));
        assertFalse(store.artifact(haltedSha).isPresent());
        assertTrue("what runs stays", store.artifact(running.sha256()).isPresent());
    }

    /** status() is unauthenticated: it must not make the node hash every jar on every call. */
    @Test
    public void aDigestIsComputedAgainOnlyWhenTheFileChanged() throws Exception {
        ArtifactStore store = new ArtifactStore(tmp.getRoot().toPath(), 3);
        Path file = store.put(new ByteArrayInputStream("original".getBytes()));
        String sha = store.digestOf(file);
        assertEquals(Sha256.of(file), sha);
        Files.writeString(file, "tampered on disk");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals("a changed file is hashed again: the digest shown is the bytes on disk", Sha256.of(file),
                store.digestOf(file));
    }
}
