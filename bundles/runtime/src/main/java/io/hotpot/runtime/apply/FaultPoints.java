package io.hotpot.runtime.apply;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fault injection for crash tests: when a file named after a pipeline point exists in
 * {@code <data.dir>/faults}, the pipeline pauses there (for the number of milliseconds the file
 * holds, 600,000 if it is empty) and logs {@code Hotpot fault injection: pausing at <point>}, so a
 * test can kill the node at a known point. The points are {@code AFTER_EXPORT},
 * {@code AFTER_UPDATE}, {@code AFTER_REFRESH} and {@code DURING_IMPORT} on a node that applies,
 * and {@code BEFORE_APPLY} on a leader that has staged an artifact everywhere but applied it nowhere. With no such file it costs
 * one {@code stat} per point. Thread-safe.
 */
public final class FaultPoints {

    private static final Logger LOG = LoggerFactory.getLogger(FaultPoints.class);

    private final Path dir;

    /** @param dataDir the node's Hotpot data folder */
    public FaultPoints(Path dataDir) {
        this.dir = dataDir.resolve("faults");
    }

    /**
     * Pauses if the fault file of that point exists.
     *
     * @throws InterruptedException if interrupted while paused
     */
    public void reach(String point) throws InterruptedException {
        Path file = dir.resolve(point);
        if (!Files.isRegularFile(file)) {
            return;
        }
        long ms = 600_000;
        try {
            String text = Files.readString(file).trim();
            if (!text.isEmpty()) {
                ms = Long.parseLong(text);
            }
        } catch (IOException | NumberFormatException ignored) {
            // Keep the default pause.
        }
        LOG.warn("Hotpot fault injection: pausing at {} for {} ms ({})", point, ms, file);
        Thread.sleep(ms);
    }
}
