package io.hotpot.runtime.deploy;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class FileStabilityTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void waitsUntilAWriterStops() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("growing.jar");
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int i = 0; i < 10; i++) {
                    out.write(new byte[1000]);
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(20);
        assertTrue(new FileStability(200, 10_000).awaitStable(file));
        assertTrue("returned while the writer was still writing", writer.isDone());
        assertTrue(Files.size(file) == 10_000);
    }

    @Test
    public void aMissingFileIsNotStable() throws Exception {
        assertFalse(new FileStability(50, 500).awaitStable(tmp.getRoot().toPath().resolve("nope.jar")));
    }
}
