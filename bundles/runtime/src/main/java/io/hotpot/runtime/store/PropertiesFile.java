package io.hotpot.runtime.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * A small record on disk as a properties file, replaced atomically (written beside, then moved in
 * place), so a crash leaves the old contents or the new ones, never half of them. Not thread-safe:
 * callers serialize their read-modify-write.
 *
 * @param file where the record is kept
 */
public record PropertiesFile(Path file) {

    /** @return the contents; empty if the file does not exist */
    public Properties read() throws IOException {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newBufferedReader(file)) {
                p.load(in);
            }
        }
        return p;
    }

    /** Replaces the contents. */
    public void write(Properties p, String comment) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var out = Files.newBufferedWriter(tmp)) {
            p.store(out, comment);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
