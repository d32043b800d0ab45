package io.hotpot.runtime.artifact;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.Jars;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ArtifactInspectorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final ArtifactInspector inspector = new ArtifactInspector(10_000_000);

    @Test
    public void readsIdentityDigestAndSizeOfABundle() throws Exception {
        Path jar = Jars.bundle(tmp.getRoot().toPath(), "org.example.demo", "1.2", 5000);
        ArtifactDescriptor d = inspector.inspect(jar, "demo.jar");
        assertEquals("org.example.demo", d.symbolicName());
        assertEquals("1.2.0", d.version());
        assertEquals(Files.size(jar), d.size());
        assertEquals(Sha256.of(jar), d.sha256());
    }

    @Test
    public void refusesATruncatedJarNamingTheFile() throws Exception {
        Path jar = Jars.bundle(tmp.getRoot().toPath(), "org.example.demo", "1.0.0", 50_000);
        byte[] bytes = Files.readAllBytes(jar);
        Path truncated = tmp.getRoot().toPath().resolve("truncated.jar");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class,
                () -> inspector.inspect(truncated, "/deploy/truncated.jar"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("/deploy/truncated.jar: "));
    }

    @Test
    public void refusesAFlippedByteInsideAnEntry() throws Exception {
        Path jar = Jars.bundle(tmp.getRoot().toPath(), "org.example.demo", "1.0.0", 50_000);
        byte[] bytes = Files.readAllBytes(jar);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(jar, bytes);
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class, () -> inspector.inspect(jar, "x.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("x.jar"));
    }

    @Test
    public void refusesRandomBytes() throws Exception {
        Path junk = tmp.newFile("junk.jar").toPath();
        Files.write(junk, "this is not a zip file at all".getBytes());
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class, () -> inspector.inspect(junk, "junk.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("not a valid jar"));
    }

    @Test
    public void refusesAJarThatIsNotABundle() throws Exception {
        Path jar = Jars.plainJar(tmp.getRoot().toPath());
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class, () -> inspector.inspect(jar, "plain.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("not an OSGi bundle"));
    }

    @Test
    public void refusesAZipWithoutManifest() throws Exception {
        Path zip = tmp.getRoot().toPath().resolve("nomanifest.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("a.txt"));
            out.write(1);
        }
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class, () -> inspector.inspect(zip, "nomanifest.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("no META-INF/MANIFEST.MF"));
    }

    @Test
    public void refusesAnArtifactOverTheSizeLimit() throws Exception {
        Path jar = Jars.bundle(tmp.getRoot().toPath(), "org.example.big", "1.0.0", 20_000);
        InvalidArtifactException e = assertThrows(InvalidArtifactException.class,
                () -> new ArtifactInspector(1000).inspect(jar, "big.jar"));
        assertTrue(e.getMessage(), e.getMessage().contains("artifact.max.bytes=1000"));
    }

    @Test
    public void refusesAnEmptyFile() throws Exception {
        Path empty = tmp.newFile("empty.jar").toPath();
        assertThrows(InvalidArtifactException.class, () -> inspector.inspect(empty, "empty.jar"));
    }
}
