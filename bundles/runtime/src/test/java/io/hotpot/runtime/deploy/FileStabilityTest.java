package io.hotpot.runtime.deploy;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.hotpot.runtime.Jars;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class FileStabilityTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Writes the bytes into the file in the given parts, pausing between them as a slow copy would. */
    private static CompletableFuture<Void> copy(Path file, byte[] bytes, int parts, long pauseMs) {
        return CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(file)) {
                int step = (bytes.length + parts - 1) / parts;
                for (int at = 0; at < bytes.length; at += step) {
                    out.write(bytes, at, Math.min(step, bytes.length - at));
                    out.flush();
                    Thread.sleep(pauseMs);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    public void waitsUntilAWriterStops() throws Exception {
        byte[] jar = Files.readAllBytes(Jars.bundle(tmp.newFolder().toPath(), "org.example.slow", "1.0.0", 10_000));
        Path file = tmp.getRoot().toPath().resolve("growing.jar");
        CompletableFuture<Void> writer = copy(file, jar, 10, 50);
        Thread.sleep(20);
        assertTrue(new FileStability(200, 2_000, 10_000).awaitStable(file));
        assertTrue("returned while the writer was still writing", writer.isDone());
        assertEquals(jar.length, Files.size(file));
    }

    /**
     * A copy that stalls, half written, for longer than the quiet period (but not the longer one):
     * its size and time stay the same, but it is not a whole jar yet. Before the zip check it was
     * taken after the quiet period.
     */
    @Test
    public void aHalfWrittenJarThatStallsIsNotTaken() throws Exception {
        byte[] jar = Files.readAllBytes(Jars.bundle(tmp.newFolder().toPath(), "org.example.stalled", "1.0.0", 50_000));
        Path file = tmp.getRoot().toPath().resolve("stalled.jar");
        CompletableFuture<Void> writer = copy(file, jar, 2, 800);
        Thread.sleep(50);
        assertTrue(new FileStability(200, 2_000, 10_000).awaitStable(file));
        assertTrue("returned while the copy had stalled half way", writer.isDone() || Files.size(file) == jar.length);
        assertEquals(jar.length, Files.size(file));
    }

    /** A jar broken for good is handed on (to be refused with its reason) after the longer quiet period. */
    @Test
    public void aJarThatIsNoWholeZipIsTakenOnceItHeldForTheLongerQuietPeriod() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("broken.jar");
        // The quiet period counts from the file's last write: the clock starts before it, not after.
        long start = System.nanoTime();
        Files.write(file, new byte[1000]);
        assertTrue(new FileStability(50, 400, 5_000).awaitStable(file));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue("taken after " + ms + " ms", ms >= 400 && ms < 4_000);
    }

    @Test
    public void aMissingFileIsNotStable() throws Exception {
        assertFalse(new FileStability(50, 100, 500).awaitStable(tmp.getRoot().toPath().resolve("nope.jar")));
    }
}
