package io.hotpot.itests.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The real bundles the tests distribute, and variants of them built for failure cases. */
public final class Fixtures {

    private Fixtures() {
    }

    /** @return a jar copied by the build from the local Maven repository into target/fixtures */
    public static Path jar(String name) {
        Path p = Path.of(System.getProperty("hotpot.fixtures"), name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing fixture " + p);
        }
        return p;
    }

    /** @return the jar's {@code Bundle-Version}, as the framework shows it */
    public static String bundleVersion(Path jar) throws IOException {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            return org.osgi.framework.Version.parseVersion(file.getManifest().getMainAttributes()
                    .getValue("Bundle-Version")).toString();
        }
    }

    public static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(Files.readAllBytes(file));
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * Copies a bundle with a new Bundle-Version and, optionally, one more Import-Package clause,
     * keeping every other entry as it is.
     */
    public static Path withManifest(Path source, Path target, String version, String extraImport) throws IOException {
        return withHeaders(source, target, version, extraImport == null ? Map.of()
                : Map.of("Import-Package", imports -> imports == null ? extraImport : imports + "," + extraImport));
    }

    /**
     * @param edits per manifest header, its new value from the old one (null if absent)
     * @return a copy of the bundle at that version, with those headers rewritten
     */
    public static Path withHeaders(Path source, Path target, String version,
                                   Map<String, java.util.function.UnaryOperator<String>> edits) throws IOException {
        try (JarFile in = new JarFile(source.toFile())) {
            Manifest m = new Manifest(in.getManifest());
            Attributes a = m.getMainAttributes();
            a.putValue("Bundle-Version", version);
            edits.forEach((header, edit) -> a.putValue(header, edit.apply(a.getValue(header))));
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), m)) {
                var entries = in.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    /** @return a bundle that contains nothing but an export of the given package */
    public static Path exporter(Path target, String bsn, String pkg) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Export-Package", pkg + ";version=\"1.0.0\"");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), m)) {
            out.putNextEntry(new JarEntry(pkg.replace('.', '/') + "/marker.txt"));
            out.write("exported only on the leader".getBytes());
            out.closeEntry();
        }
        return target;
    }

    /** @return a jar without any OSGi header */
    public static Path plainJar(Path target) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), m)) {
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write("not a bundle".getBytes());
            out.closeEntry();
        }
        return target;
    }
}
