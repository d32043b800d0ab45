package io.hotpot.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds small jars for tests. */
public final class Jars {

    private Jars() {
    }

    /** @return a bundle jar with the given identity and one resource of the given size */
    public static Path bundle(Path dir, String bsn, String version, int payloadBytes) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn + ";singleton:=true");
        a.putValue("Bundle-Version", version);
        Path jar = dir.resolve(bsn + "-" + version + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new JarEntry("data.bin"));
            byte[] payload = new byte[payloadBytes];
            new java.util.Random(42).nextBytes(payload);
            out.write(payload);
            out.closeEntry();
        }
        return jar;
    }

    /** @return a jar with a manifest that has no OSGi headers */
    public static Path plainJar(Path dir) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Path jar = dir.resolve("plain.jar");
        try (OutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.flush();
        }
        return jar;
    }
}
