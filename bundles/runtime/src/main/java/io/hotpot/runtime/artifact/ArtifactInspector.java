package io.hotpot.runtime.artifact;

import io.hotpot.api.ArtifactDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * Reads a jar the way the framework will, before the framework sees it: every entry is inflated
 * (so a truncated or corrupt archive fails here, with its CRC, not halfway through
 * {@code Bundle.update}), and the manifest must name an OSGi R4+ bundle
 * ({@code Bundle-ManifestVersion: 2} and a {@code Bundle-SymbolicName} of OSGi's grammar, so it can
 * never become a path, {@link BundleNames}). It then applies an {@link ArtifactPolicy}, which decides
 * what this class only reads (for a node: that the bundle claims no symbolic name of a bundle
 * Hotpot must not replace).
 *
 * <p>Stateless and thread-safe.
 */
public final class ArtifactInspector {

    private final long maxBytes;
    private final ArtifactPolicy policy;

    /**
     * An inspector that checks the jar only, not which installed bundle it would replace.
     *
     * @param maxBytes the largest artifact accepted, in bytes
     * @throws IllegalArgumentException if maxBytes is not positive
     */
    public ArtifactInspector(long maxBytes) {
        this(maxBytes, ArtifactPolicy.NONE);
    }

    /**
     * @param maxBytes the largest artifact accepted, in bytes
     * @param policy   what a bundle must also satisfy, after it reads as one
     * @throws IllegalArgumentException if maxBytes is not positive
     */
    public ArtifactInspector(long maxBytes, ArtifactPolicy policy) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /**
     * @param jar  the file to read
     * @param name how to name the artifact in errors (its original file name or URL)
     * @return the bundle's identity, digest and size
     * @throws InvalidArtifactException if the file is too large, not a zip, corrupt, has no
     *                                  manifest, its manifest does not describe a bundle, or the
     *                                  bundle claims a protected symbolic name
     * @throws IOException              if the file cannot be read at all
     */
    public ArtifactDescriptor inspect(Path jar, String name) throws InvalidArtifactException, IOException {
        long size = Files.size(jar);
        if (size > maxBytes) {
            throw new InvalidArtifactException(name + ": " + size + " bytes exceeds artifact.max.bytes=" + maxBytes);
        }
        if (size == 0) {
            throw new InvalidArtifactException(name + ": empty file, not a jar");
        }
        Manifest manifest = readVerifiedManifest(jar, name);
        Attributes main = manifest.getMainAttributes();
        String bsn = main.getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new InvalidArtifactException(name + ": not an OSGi bundle (no Bundle-SymbolicName in META-INF/MANIFEST.MF)");
        }
        String manifestVersion = main.getValue("Bundle-ManifestVersion");
        if (!"2".equals(manifestVersion == null ? null : manifestVersion.trim())) {
            throw new InvalidArtifactException(name + ": Bundle-ManifestVersion must be 2, found " + manifestVersion);
        }
        String symbolicName = bsn.split(";", 2)[0].trim();
        if (!BundleNames.isSymbolicName(symbolicName)) {
            throw new InvalidArtifactException(name + ": invalid symbolic name: " + BundleNames.printable(symbolicName)
                    + " in META-INF/MANIFEST.MF");
        }
        String declared = main.getValue("Bundle-Version");
        // No Bundle-Version is valid OSGi: the framework reads it as 0.0.0.
        String version = BundleNames.canonicalVersion(declared == null ? "0.0.0" : declared.trim())
                .orElseThrow(() -> new InvalidArtifactException(name + ": invalid version: " + BundleNames.printable(declared)
                        + " in META-INF/MANIFEST.MF"));
        ArtifactDescriptor descriptor = new ArtifactDescriptor(symbolicName, version, Sha256.of(jar), size);
        policy.admit(descriptor, name);
        return descriptor;
    }

    private static Manifest readVerifiedManifest(Path jar, String name) throws InvalidArtifactException, IOException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            byte[] buffer = new byte[64 * 1024];
            CRC32 crc = new CRC32();
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                // ZipFile does not check CRCs itself: recompute each one, so a damaged jar fails here.
                crc.reset();
                try (InputStream in = file.getInputStream(entry)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        crc.update(buffer, 0, n);
                    }
                } catch (ZipException | java.io.EOFException e) {
                    throw new InvalidArtifactException(name + ": corrupt entry " + entry.getName() + " (" + e.getMessage() + ")");
                }
                if (entry.getCrc() != -1 && entry.getCrc() != crc.getValue()) {
                    throw new InvalidArtifactException(name + ": corrupt entry " + entry.getName() + " (CRC mismatch)");
                }
            }
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                throw new InvalidArtifactException(name + ": jar has no META-INF/MANIFEST.MF, not an OSGi bundle");
            }
            return manifest;
        } catch (ZipException e) {
            throw new InvalidArtifactException(name + ": not a valid jar (" + e.getMessage() + ")");
        }
    }
}
