package io.hotpot.runtime.cluster;

import io.hotpot.api.ArtifactDescriptor;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The form of Hotpot's znode values: {@link Properties} text in UTF-8, readable with
 * {@code zkCli.sh get} when an operator needs to look. Stateless.
 */
final class ZnodeText {

    private ZnodeText() {
    }

    /** @throws UncheckedIOException if the bytes are not Properties text */
    static Properties parse(byte[] data) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static byte[] bytes(Properties p) {
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes an artifact's four fields under keys starting with the prefix. */
    static void putArtifact(Properties p, String prefix, ArtifactDescriptor a) {
        p.setProperty(prefix + "symbolicName", a.symbolicName());
        p.setProperty(prefix + "version", a.version());
        p.setProperty(prefix + "sha256", a.sha256());
        p.setProperty(prefix + "size", Long.toString(a.size()));
    }

    /**
     * @throws IllegalArgumentException or {@link NullPointerException} if a field is missing or invalid
     */
    static ArtifactDescriptor artifact(Properties p, String prefix) {
        return new ArtifactDescriptor(p.getProperty(prefix + "symbolicName"), p.getProperty(prefix + "version"),
                p.getProperty(prefix + "sha256"), Long.parseLong(p.getProperty(prefix + "size")));
    }
}
