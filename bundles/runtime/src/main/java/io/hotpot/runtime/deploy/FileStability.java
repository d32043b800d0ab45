package io.hotpot.runtime.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Decides when a file has stopped being written: its size and modification time are the same over
 * a quiet period, and, for a jar, the file is a whole zip (its central directory, which a zip
 * writer puts last, reads). The second check is what lets the quiet period be short: a copy that
 * stalls for longer than the quiet period, half written, has no central directory yet, so it is
 * not taken. A jar that is not a whole zip is taken only after a longer quiet period, so that a
 * file that is broken for good (truncated, not a zip) is handed on, and refused with its reason,
 * rather than waited for until the maximum wait. Felix FileInstall, too, acts on a file only once
 * it is stable. Stateless and thread-safe.
 */
public final class FileStability {

    private final long quietMs;
    private final long brokenQuietMs;
    private final long maxWaitMs;

    /**
     * @param quietMs       how long size and mtime must stay unchanged, in milliseconds, for a whole jar
     *                      (or any other file)
     * @param brokenQuietMs how long they must stay unchanged for a jar that does not read as a whole
     *                      zip, in milliseconds: a copy that stalls longer than this is taken half written
     * @param maxWaitMs     give up after this long, in milliseconds
     * @throws IllegalArgumentException unless 0 <= quietMs <= brokenQuietMs <= maxWaitMs
     */
    public FileStability(long quietMs, long brokenQuietMs, long maxWaitMs) {
        if (quietMs < 0 || brokenQuietMs < quietMs || maxWaitMs < brokenQuietMs) {
            throw new IllegalArgumentException("need 0 <= quietMs <= brokenQuietMs <= maxWaitMs: " + quietMs + ", "
                    + brokenQuietMs + ", " + maxWaitMs);
        }
        this.quietMs = quietMs;
        this.brokenQuietMs = brokenQuietMs;
        this.maxWaitMs = maxWaitMs;
    }

    /**
     * Blocks until the file is stable or the maximum wait is over.
     *
     * @return true if the file was stable (a jar that is not a whole zip, too, once it held for the
     *         longer quiet period), false if it kept changing or disappeared
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitStable(Path file) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxWaitMs;
        String last = fingerprint(file);
        long stableSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            if (last == null) {
                return false;
            }
            long quiet = System.currentTimeMillis() - stableSince;
            if (quiet >= brokenQuietMs || quiet >= quietMs && whole(file)) {
                return true;
            }
            Thread.sleep(Math.max(10, quietMs / 4));
            String now = fingerprint(file);
            if (!last.equals(now)) {
                last = now;
                stableSince = System.currentTimeMillis();
            }
        }
        return false;
    }

    /** @return the maximum wait, in milliseconds */
    public long maxWaitMs() {
        return maxWaitMs;
    }

    /** @return whether the file is not a jar, or a jar whose central directory reads */
    private static boolean whole(Path file) {
        if (!file.getFileName().toString().endsWith(".jar")) {
            return true;
        }
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            return zip.size() >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String fingerprint(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "@" + a.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return null;
        }
    }
}
