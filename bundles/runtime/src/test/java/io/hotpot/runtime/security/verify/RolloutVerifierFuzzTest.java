package io.hotpot.runtime.security.verify;

import io.hotpot.runtime.security.Tickets;

import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.SecurityRefusal;

import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.ticket.ReplayGuard;
import io.hotpot.runtime.security.ticket.TicketSigner;
import io.hotpot.runtime.security.ticket.TicketVerifier;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Feeds thousands of mutated artifacts and tickets to the follower's verify path (signature,
 * digest, descriptor, {@link ArtifactInspector}, replay guard). Nothing the cluster did not sign
 * is accepted, and nothing fails with anything but a {@link SecurityRefusal}. Seeded: a failure
 * names the case and reproduces.
 */
public class RolloutVerifierFuzzTest {

    private static final long SEED = 0x5eC0_4e7L;
    private static final int ARTIFACT_MUTATIONS = 1_200;
    private static final int TICKET_MUTATIONS = 1_000;
    private static final String BSN = "org.example.fuzz";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final Random random = new Random(SEED);
    private final ClusterKeys keys = Tickets.newKeys();
    private final TicketSigner cluster = new TicketSigner(keys.signingKey());
    private final TicketSigner foreign = new TicketSigner(Tickets.newKeys().signingKey());
    private final Map<Reason, Integer> refusals = new EnumMap<>(Reason.class);
    private RolloutVerifier verifier;
    private byte[] original;
    private long sequence = 1_000;
    private int files;

    @Before
    public void setUp() throws IOException {
        verifier = new RolloutVerifier(new TicketVerifier(keys.trustedKeys()), new ArtifactInspector(1024 * 1024),
                new ReplayGuard(tmp.newFolder("data").toPath()), 1024 * 1024, new SecurityLog("fuzz"));
        original = jar(manifest(BSN, "1.0.0"), true);
    }

    @Test
    public void theGenuineArtifactIsAccepted() throws Exception {
        Path file = write(original);
        assertEquals(BSN, verifyAndAdmit(cluster.sign(ticketFor(original, "1.0.0")), file, "leader").symbolicName());
    }

    @Test
    public void mutatedArtifactsAreRefused() throws Exception {
        long start = System.nanoTime();
        RolloutTicket genuine = ticketFor(original, "1.0.0");
        SignedRolloutTicket signedGenuine = cluster.sign(genuine);
        int signedByCluster = 0;
        int acceptedWhenSignedByCluster = 0;
        for (int i = 0; i < ARTIFACT_MUTATIONS; i++) {
            byte[] mutated = mutateArtifact(i);
            if (Arrays.equals(mutated, original)) {
                continue;
            }
            Path file = write(mutated);
            String label = "artifact case " + i + " (seed " + SEED + ")";
            // The genuine ticket does not cover these bytes.
            expectRefusal(label, () -> verifyAndAdmit(signedGenuine, file, "fuzz"));
            // A ticket over these exact bytes, signed by a key the cluster does not trust (every 8th
            // case only: Ed25519 costs milliseconds here, and mutatedTicketsAreRefused covers the key).
            RolloutTicket exact = ticketFor(mutated, "1.0.0");
            if (i % 8 == 0) {
                expectRefusal(label + " foreign key", () -> verifyAndAdmit(foreign.sign(exact), file, "fuzz"));
            }
            // Signed by the cluster itself (as if the leader had been given these bytes): the inspector
            // must refuse anything that is not a sound bundle with the ticket's name and version.
            signedByCluster++;
            try {
                ArtifactDescriptor accepted = verifyAndAdmit(cluster.sign(exact), file, "fuzz");
                assertEquals(label, BSN, accepted.symbolicName());
                acceptedWhenSignedByCluster++;
            } catch (SecurityRefusal e) {
                refusals.merge(e.reason(), 1, Integer::sum);
            } catch (Exception | Error e) {
                throw new AssertionError(label + ": " + e, e);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("fuzz: %d mutated artifacts, %d ms; signed by the cluster: %d, of which %d still sound"
                + " bundles (e.g. a flip in an unused header field); refusals %s%n", ARTIFACT_MUTATIONS, ms,
                signedByCluster, acceptedWhenSignedByCluster, refusals);
        assertTrue("the inspector refused most mutations: " + refusals,
                acceptedWhenSignedByCluster < signedByCluster / 2);
    }

    @Test
    public void brokenManifestsAndNamesAreRefusedEvenWhenSigned() throws Exception {
        List<byte[]> broken = new ArrayList<>();
        broken.add(jar(null, true));                                          // no manifest at all
        broken.add(jar(manifest(null, "1.0.0"), true));                       // no Bundle-SymbolicName
        broken.add(jar(manifest("../../etc/evil", "1.0.0"), true));           // path traversal
        broken.add(jar(manifest("a/b", "1.0.0"), true));
        broken.add(jar(manifest("a\\b", "1.0.0"), true));
        broken.add(jar(manifest(BSN, "1.0.0/../x"), true));
        broken.add(jar(manifest(BSN, "not-a-version"), true));
        broken.add(jar(manifest(BSN, "2.0.0"), true));                        // another version than the ticket's
        broken.add(jar(manifest("org.other", "1.0.0"), true));                // another bundle than the ticket's
        broken.add("not a jar at all".getBytes());
        broken.add(new byte[0]);
        broken.add(rawManifestJar("Manifest-Version: 1.0\nBundle-ManifestVersion: 2\nBundle-Symbo\u0000licName org.x\n"));
        broken.add(rawManifestJar("\u00ff\u00fe garbage without headers"));
        for (int i = 0; i < broken.size(); i++) {
            byte[] bytes = broken.get(i);
            Path file = write(bytes);
            SignedRolloutTicket signed = cluster.sign(ticketFor(bytes, "1.0.0"));
            Reason reason = expectRefusal("broken case " + i, () -> verifyAndAdmit(signed, file, "fuzz"));
            assertTrue("case " + i + ": " + reason,
                    reason == Reason.ARTIFACT || reason == Reason.DESCRIPTOR || reason == Reason.NAME);
        }
    }

    @Test
    public void mutatedTicketsAreRefused() throws Exception {
        Path file = write(original);
        RolloutTicket genuine = ticketFor(original, "1.0.0");
        byte[] signature = cluster.sign(genuine).signature();
        for (int i = 0; i < TICKET_MUTATIONS; i++) {
            String label = "ticket case " + i + " (seed " + SEED + ")";
            SignedRolloutTicket mutated;
            int kind = i % 4;
            if (kind == 0) {
                byte[] flipped = signature.clone();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                if (Arrays.equals(flipped, signature)) {
                    continue;
                }
                mutated = new SignedRolloutTicket(genuine, flipped);
            } else if (kind == 1) {
                mutated = foreign.sign(genuine);
            } else {
                RolloutTicket changed = changeOneField(genuine);
                if (changed == null || changed.equals(genuine)) {
                    continue;
                }
                mutated = new SignedRolloutTicket(changed, signature);
            }
            SignedRolloutTicket attempt = mutated;
            expectRefusal(label, () -> verifyAndAdmit(attempt, file, "fuzz"));
        }
        // None of that left a trace: the genuine ticket is still accepted afterwards.
        verifyAndAdmit(cluster.sign(genuine), file, "leader");
    }

    @Test
    public void aReplayedOldRolloutIsRefused() throws Exception {
        Path v1 = write(original);
        SignedRolloutTicket old = cluster.sign(ticketFor(original, "1.0.0"));
        verifyAndAdmit(old, v1, "leader");
        byte[] newer = jar(manifest(BSN, "1.1.0"), true);
        verifyAndAdmit(cluster.sign(ticketFor(newer, "1.1.0")), write(newer), "leader");
        assertEquals(Reason.REPLAY, expectRefusal("replay", () -> verifyAndAdmit(old, v1, "replayer")));
        assertEquals(Reason.REPLAY, expectRefusal("replay before transfer", () -> verifier.verifyTicket(old, "replayer")));
        // An intentional rollback is a new ticket, signed now, with a new sequence.
        verifyAndAdmit(cluster.sign(new RolloutTicket("r-20261121-150000-0001", ++sequence,
                descriptor(original, "1.0.0"), "node1", true)), v1, "leader");
    }

    @Test
    public void anArtifactOverTheSizeBoundIsRefusedBeforeItsBytes() {
        RolloutTicket big = new RolloutTicket("r-20261121-150000-0002", ++sequence,
                new ArtifactDescriptor(BSN, "1.0.0", "ab".repeat(32), 2 * 1024 * 1024), "node1", false);
        assertEquals(Reason.ARTIFACT, expectRefusal("oversize", () -> verifier.verifyTicket(cluster.sign(big), "leader")));
    }

    // -----------------------------------------------------------------------------------------

    /** What a node does with a ticket it applies: the checks, then, once the artifact runs, the record. */
    private ArtifactDescriptor verifyAndAdmit(SignedRolloutTicket signed, Path file, String from) throws SecurityRefusal {
        ArtifactDescriptor checked = verifier.check(signed, file, from);
        verifier.admitRunning(signed);
        return checked;
    }

    private interface Check {
        Object run() throws Exception;
    }

    private Reason expectRefusal(String label, Check check) {
        try {
            Object accepted = check.run();
            fail(label + ": accepted " + accepted);
            return null;
        } catch (SecurityRefusal e) {
            return e.reason();
        } catch (Exception | Error e) {
            throw new AssertionError(label + ": expected a SecurityRefusal, got " + e, e);
        }
    }

    private byte[] mutateArtifact(int i) {
        byte[] b = original.clone();
        switch (i % 4) {
            case 0 -> {
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case 1 -> {
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] inserted = new byte[1 + random.nextInt(64)];
                random.nextBytes(inserted);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, at);
                out.writeBytes(inserted);
                out.write(b, at, b.length - at);
                return out.toByteArray();
            }
            default -> {
                int at = random.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + random.nextInt(32));
                for (int k = 0; k < len; k++) {
                    b[at + k] = (byte) random.nextInt(256);
                }
                return b;
            }
        }
    }

    private RolloutTicket changeOneField(RolloutTicket t) {
        ArtifactDescriptor a = t.artifact();
        return switch (random.nextInt(8)) {
            case 0 -> new RolloutTicket("r-20261121-142430-" + Integer.toHexString(random.nextInt(0x10000)),
                    t.sequence(), a, t.leaderId(), t.rollback());
            case 1 -> new RolloutTicket(t.rolloutId(), t.sequence() + 1 + random.nextInt(1000), a, t.leaderId(), t.rollback());
            case 2 -> new RolloutTicket(t.rolloutId(), t.sequence(),
                    new ArtifactDescriptor("org.example.other" + random.nextInt(100), a.version(), a.sha256(), a.size()),
                    t.leaderId(), t.rollback());
            case 3 -> new RolloutTicket(t.rolloutId(), t.sequence(),
                    new ArtifactDescriptor(a.symbolicName(), "1.0." + (1 + random.nextInt(100)), a.sha256(), a.size()),
                    t.leaderId(), t.rollback());
            case 4 -> {
                char[] hex = a.sha256().toCharArray();
                int at = random.nextInt(hex.length);
                hex[at] = hex[at] == '0' ? '1' : '0';
                yield new RolloutTicket(t.rolloutId(), t.sequence(),
                        new ArtifactDescriptor(a.symbolicName(), a.version(), new String(hex), a.size()), t.leaderId(), t.rollback());
            }
            case 5 -> new RolloutTicket(t.rolloutId(), t.sequence(),
                    new ArtifactDescriptor(a.symbolicName(), a.version(), a.sha256(), a.size() + 1 + random.nextInt(100)),
                    t.leaderId(), t.rollback());
            case 6 -> new RolloutTicket(t.rolloutId(), t.sequence(), a, "node" + (2 + random.nextInt(9)), t.rollback());
            default -> new RolloutTicket(t.rolloutId(), t.sequence(), a, t.leaderId(), !t.rollback());
        };
    }

    private RolloutTicket ticketFor(byte[] bytes, String version) {
        return new RolloutTicket("r-20261121-142430-57ee", ++sequence, descriptor(bytes, version), "node1", false);
    }

    private static ArtifactDescriptor descriptor(byte[] bytes, String version) {
        java.security.MessageDigest digest = Sha256.newDigest();
        digest.update(bytes);
        return new ArtifactDescriptor(BSN, version, Sha256.hex(digest), bytes.length);
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = tmp.getRoot().toPath().resolve("artifact-" + (++files) + ".jar");
        Files.write(file, bytes);
        return file;
    }

    private static Manifest manifest(String bsn, String version) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        if (bsn != null) {
            a.putValue("Bundle-SymbolicName", bsn);
        }
        a.putValue("Bundle-Version", version);
        a.putValue("Export-Package", "org.example.fuzz;version=\"1.0.0\"");
        return m;
    }

    /** A small bundle jar: a manifest (unless null) and a few entries, compressed and stored. */
    private static byte[] jar(Manifest manifest, boolean entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = manifest == null ? new ZipOutputStream(bytes) : new JarOutputStream(bytes, manifest)) {
            if (entries) {
                Random content = new Random(7);
                for (int i = 0; i < 4; i++) {
                    JarEntry e = new JarEntry("org/example/fuzz/Part" + i + ".class");
                    out.putNextEntry(e);
                    byte[] data = new byte[1024 + 512 * i];
                    content.nextBytes(data);
                    // Half random, half repetitive, so that deflate has real work to do.
                    Arrays.fill(data, data.length / 2, data.length, (byte) 'x');
                    out.write(data);
                    out.closeEntry();
                }
                out.putNextEntry(new ZipEntry("README.txt"));
                out.write("fuzz target".getBytes());
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A jar whose META-INF/MANIFEST.MF holds exactly these characters (ISO-8859-1). */
    private static byte[] rawManifestJar(String manifest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            out.write(manifest.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }
}
