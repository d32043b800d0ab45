package io.hotpot.itests.security;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferTicket;
import io.hotpot.itests.cluster.ConsoleTable;
import io.hotpot.itests.cluster.Fixtures;
import io.hotpot.itests.cluster.RunningCluster;
import io.hotpot.itests.security.FastbinClient.Answer;
import io.hotpot.runtime.security.member.MemberSigner;
import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.credentials.ClusterSecrets;
import io.hotpot.runtime.security.ticket.TicketSigner;
import io.hotpot.runtime.security.ticket.TicketVerifier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static io.hotpot.itests.security.FastbinClient.signature;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Issue 5: a follower keeps and applies only what the cluster's key signed for that rollout. An
 * attacker who reaches a follower's fastbin port sends real {@code FollowerService} calls (fastbin's
 * own wire format, from this JVM, see {@link FastbinClient}) with forged, foreign, tampered,
 * replayed, oversized, malformed and name-squatting input. Each call must be refused with a message
 * naming the reason, logged on the follower as {@code SECURITY <node>: refused ...}, and change
 * nothing on any node: every node's {@code hot:status -d} and {@code bundle:list}, every file under
 * every node's {@code data/hotpot} (store, staging, replay record, applied records), and what
 * ZooKeeper holds are the same before and after.
 *
 * <p>Several cases need a ticket that is validly signed, so that the check under test (bytes, size,
 * manifest, claimed name), not the signature, is what refuses: the test signs those with the
 * cluster's own key from the cluster's credentials file, as a leader would. A signature vouches for
 * a ticket, never for bytes that do not match it. Their sequence numbers are newer than anything the
 * cluster issued, so that no refusal is a replay refusal by accident; since none is ever admitted,
 * none of them can block a later legitimate rollout either.
 *
 * <p>The cases assert the refusal, its message and that nothing changed;
 * {@link #issue5StrictReasonsAndLogLines()} also asserts the reason code and the security log line
 * where the wording of a case leaves room for either.
 *
 * <p>One two-node cluster for every case; the cases run in name order because case 5 moves
 * commons-lang3 forward and back.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class HostileRolloutIT {

    private static final String LANG = "org.apache.commons.lang3";

    private static final String BEGIN_TRANSFER = signature("beginTransfer", SignedRolloutTicket.class);
    private static final String WRITE_CHUNK = signature("writeChunk", String.class, long.class, byte[].class);
    private static final String STAGE = signature("stage", String.class);
    private static final String APPLY_STORED = signature("applyStored", SignedRolloutTicket.class);
    private static final String READ_CHUNK = signature("readChunk", String.class, long.class, int.class);
    private static final String ABORT_TRANSFER = signature("abortTransfer", String.class);

    /** Hotpot's default artifact.max.bytes; the cluster script does not change it. */
    private static final long DEFAULT_MAX_BYTES = 268_435_456L;

    private static final int CHUNK = 256 * 1024;

    /** A symbolic name that would be a path out of the store, if it ever became one. */
    private static final String TRAVERSAL = "../../etc/x";

    /**
     * The sequence of the forged tickets. The cluster's own sequence is about the current time in
     * milliseconds (RolloutSequence); a day ahead of it, no refusal is a replay refusal by accident.
     */
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() + Duration.ofDays(1).toMillis());

    private static RunningCluster cluster;
    private static CuratorFramework zookeeper;
    private static String leader;
    private static String follower;
    private static String endpoint;
    private static int port;
    private static TicketSigner clusterKey;
    private static TicketVerifier trusted;
    private static Path jars;

    @BeforeClass
    public static void start() throws Exception {
        cluster = RunningCluster.start("hostile", 2);
        assertOk(cluster.distribute(Fixtures.jar("kv-api.jar")));
        assertOk(cluster.distribute(Fixtures.jar("commons-lang3-3.12.0.jar")));
        leader = cluster.leader();
        follower = cluster.followers().get(0);
        port = cluster.nodes().fastbinPort(follower);
        endpoint = endpoint(follower);

        Properties secrets = properties(cluster.nodes().securityFile());
        ClusterKeys keys = ClusterKeys.decode(new ClusterSecrets(secrets.getProperty("signing.key"),
                List.of(secrets.getProperty("trusted.keys").split(",")), secrets.getProperty("zookeeper.auth")));
        clusterKey = new TicketSigner(keys.signingKey());
        trusted = new TicketVerifier(keys.trustedKeys());
        zookeeper = CuratorFrameworkFactory.builder().connectString(cluster.zookeeper().getConnectString())
                .retryPolicy(new RetryOneTime(100)).sessionTimeoutMs(10_000).connectionTimeoutMs(10_000)
                .authorization("digest", secrets.getProperty("zookeeper.auth").getBytes(StandardCharsets.UTF_8)).build();
        zookeeper.start();
        jars = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "hostile-jars"));

        // The attacker's channel works: a harmless call through it answers like the node's own RSA proxy would.
        Answer id = FastbinClient.call(port, endpoint, signature("nodeId"));
        assertEquals(id.toString(), follower, id.value());
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (zookeeper != null) {
                zookeeper.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 1. An unsigned artifact.

    @Test
    public void case1UnsignedTicketIsRefused() throws Exception {
        World before = World.now();
        ArtifactDescriptor kv = descriptor(Fixtures.jar("kv-1.0.0.jar"));
        SignedRolloutTicket unsigned = new SignedRolloutTicket(ticket("r-hostile-unsigned", kv, false), new byte[64]);
        int logged = securityLines(follower, "rollout 'r-hostile-unsigned'", "SIGNATURE");
        assertRefused(call(BEGIN_TRANSFER, unsigned), "SIGNATURE");

        // Bytes the follower already stores (commons-lang3 3.12.0) cannot be applied unsigned either.
        ArtifactDescriptor stored = desired(LANG).ticket().artifact();
        SignedRolloutTicket unsignedApply = new SignedRolloutTicket(ticket("r-hostile-unsigned", stored, false), new byte[64]);
        assertRefused(call(APPLY_STORED, unsignedApply), "SIGNATURE");

        awaitSecurityLines(follower, logged + 2, "rollout 'r-hostile-unsigned'", "SIGNATURE");
        before.assertUnchanged("unsigned tickets");
        assertNotStored(kv.sha256());
    }

    // ---------------------------------------------------------------------------------------------
    // 2. An artifact signed by a foreign key.

    @Test
    public void case2ForeignKeyIsRefused() throws Exception {
        World before = World.now();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        TicketSigner foreign = new TicketSigner(generator.generateKeyPair().getPrivate());
        ArtifactDescriptor kv = descriptor(Fixtures.jar("kv-1.0.0.jar"));
        int logged = securityLines(follower, "rollout 'r-hostile-foreign'", "SIGNATURE", "does not verify");

        assertRefused(call(BEGIN_TRANSFER, foreign.sign(ticket("r-hostile-foreign", kv, false))), "SIGNATURE");
        ArtifactDescriptor stored = desired(LANG).ticket().artifact();
        assertRefused(call(APPLY_STORED, foreign.sign(ticket("r-hostile-foreign", stored, false))), "SIGNATURE");

        awaitSecurityLines(follower, logged + 2, "rollout 'r-hostile-foreign'", "SIGNATURE", "does not verify");
        before.assertUnchanged("tickets signed by a foreign key");
        assertNotStored(kv.sha256());
    }

    // ---------------------------------------------------------------------------------------------
    // 3. A tampered chunk under a valid ticket.

    @Test
    public void case3TamperedChunkIsRefusedAtStage() throws Exception {
        World before = World.now();
        Path jar = Fixtures.jar("kv-1.0.0.jar");
        byte[] bytes = Files.readAllBytes(jar);
        SignedRolloutTicket valid = clusterKey.sign(ticket("r-hostile-chunk", descriptor(jar), false));
        // One byte changed in the middle, same length: every chunk fits, only the digest can tell.
        byte[] tampered = bytes.clone();
        tampered[tampered.length / 2] ^= 0x5a;

        TransferTicket transfer = begin(valid);
        assertEquals("the follower holds none of these bytes yet", 0, transfer.resumeOffset());
        write(transfer.transferId(), tampered);
        Answer staged = call(STAGE, transfer.transferId());
        // Refused by RolloutVerifier's digest check when the bytes are staged; the answer names both
        // digests (its reason and SECURITY line: issue5StrictReasonsAndLogLines).
        assertTrue(staged.toString(), staged.failed());
        assertTrue(staged.message(), staged.message().contains(valid.ticket().artifact().sha256())
                && staged.message().contains(sha256(tampered)));

        // The refusal was about the bytes alone: the ticket still verifies with the cluster's keys.
        assertEquals(valid.ticket(), trusted.verify(valid));
        before.assertUnchanged("a tampered chunk");
        assertNotStored(sha256(bytes));
        assertNotStored(sha256(tampered));
    }

    // ---------------------------------------------------------------------------------------------
    // 4. A tampered descriptor under a valid signature.

    @Test
    public void case4TamperedDescriptorIsRefused() throws Exception {
        World before = World.now();
        ArtifactDescriptor kv = descriptor(Fixtures.jar("kv-1.0.0.jar"));
        ArtifactDescriptor lang = desired(LANG).ticket().artifact();
        SignedRolloutTicket valid = clusterKey.sign(ticket("r-hostile-descriptor", kv, false));
        RolloutTicket t = valid.ticket();
        List<RolloutTicket> tampered = List.of(
                // another version of the same bytes
                new RolloutTicket(t.rolloutId(), t.sequence(),
                        new ArtifactDescriptor(kv.symbolicName(), "9.9.9", kv.sha256(), kv.size()), t.leaderId(), false),
                // other bytes, which the follower happens to store: would apply them under this signature
                new RolloutTicket(t.rolloutId(), t.sequence(),
                        new ArtifactDescriptor(kv.symbolicName(), kv.version(), lang.sha256(), lang.size()), t.leaderId(), false),
                // a newer place in the cluster's order, or the rollback flag a downgrade needs
                new RolloutTicket(t.rolloutId(), t.sequence() + 1, kv, t.leaderId(), false),
                new RolloutTicket(t.rolloutId(), t.sequence(), kv, t.leaderId(), true));
        int logged = securityLines(follower, "rollout 'r-hostile-descriptor'", "SIGNATURE");

        for (RolloutTicket forged : tampered) {
            assertRefused(call(BEGIN_TRANSFER, new SignedRolloutTicket(forged, valid.signature())), "SIGNATURE");
        }
        // The swapped digest names stored bytes, so applyStored reaches its checks too.
        assertRefused(call(APPLY_STORED, new SignedRolloutTicket(tampered.get(1), valid.signature())), "SIGNATURE");

        awaitSecurityLines(follower, logged + tampered.size() + 1, "rollout 'r-hostile-descriptor'", "SIGNATURE");
        before.assertUnchanged("tampered descriptors");
        assertNotStored(kv.sha256());
    }

    // ---------------------------------------------------------------------------------------------
    // 5. A replayed old rollout; an intentional rollback is allowed.

    @Test
    public void case5ReplayIsRefusedButRollbackIsAllowed() throws Exception {
        // The genuine ticket of the 3.12.0 rollout, as anyone with ZooKeeper read access would copy it.
        SignedRolloutTicket old = desired(LANG);
        assertEquals("3.12.0", old.ticket().artifact().version());
        assertEquals(old.ticket(), trusted.verify(old));
        String sha12 = old.ticket().artifact().sha256();

        Path jar14 = Fixtures.jar("commons-lang3-3.14.0.jar");
        assertOk(cluster.distribute(jar14));
        String sha14 = Fixtures.sha256(jar14);
        // Also waits for every node's actual state in ZooKeeper, so the World below is at rest.
        cluster.assertConverged(LANG, "3.14.0", sha14, cluster.nodes().nodes());
        SignedRolloutTicket newer = desired(LANG);

        World before = World.now();
        String replayed = "rollout '" + old.ticket().rolloutId() + "'";
        int logged = securityLines(follower, replayed, "REPLAY");
        int leaderLogged = securityLines(leader, replayed, "REPLAY");
        assertRefused(call(BEGIN_TRANSFER, old), "REPLAY");
        // The follower still stores the 3.12.0 bytes (kept versions): only the replay guard stands in the way.
        assertTrue(Files.exists(storeFile(follower, sha12)));
        assertRefused(call(APPLY_STORED, old), "REPLAY");
        // The leader exports the same FollowerService, and applies its own rollouts through it.
        assertRefused(leader, FastbinClient.call(cluster.nodes().fastbinPort(leader), endpoint(leader), APPLY_STORED, old), "REPLAY");
        awaitSecurityLines(follower, logged + 2, replayed, "REPLAY");
        awaitSecurityLines(leader, leaderLogged + 1, replayed, "REPLAY");
        before.assertUnchanged("a replayed rollout");
        cluster.assertRuns(follower, LANG, "3.14.0", sha14);

        // The leader's deliberate way back: a fresh, signed ticket with the rollback flag.
        String out = cluster.run(leader, "hot:rollback " + LANG + " 3.12.0");
        assertOk(out);
        cluster.assertConverged(LANG, "3.12.0", sha12, cluster.nodes().nodes());

        // Neither genuine ticket undoes that decision now: not the old one, although the cluster runs
        // exactly its bytes again, and not the 3.14.0 one, although it goes to a newer version.
        World afterRollback = World.now();
        String forward = "rollout '" + newer.ticket().rolloutId() + "'";
        int forwardLogged = securityLines(follower, forward, "REPLAY");
        assertRefused(call(APPLY_STORED, old), "REPLAY");
        assertRefused(call(APPLY_STORED, newer), "REPLAY");
        awaitSecurityLines(follower, logged + 3, replayed, "REPLAY");
        awaitSecurityLines(follower, forwardLogged + 1, forward, "REPLAY");
        afterRollback.assertUnchanged("replayed rollouts after a rollback");
        cluster.assertRuns(follower, LANG, "3.12.0", sha12);
    }

    // ---------------------------------------------------------------------------------------------
    // 5b. Two applyStored calls whose tickets both pass the replay check (issue 11 item 3).

    @Test
    public void case5bConcurrentAppliesCannotDowngrade() throws Exception {
        String jackson = "com.fasterxml.jackson.core.jackson-core";
        // Not 2.18.2: the runtime itself runs on that one, which no ticket may replace (case 9).
        Path v1 = Fixtures.jar("jackson-core-2.17.2.jar");
        Path v3 = Fixtures.jar("jackson-core-2.19.2.jar");
        assertOk(cluster.distribute(v1));
        cluster.assertConverged(jackson, "2.17.2", Fixtures.sha256(v1), cluster.nodes().nodes());
        // Sequences 6 (2.17.2 again, not a downgrade from the recorded 2.17.2) and 7 (2.19.2) while 5 is
        // recorded: both newer, so both pass the check made before the applier's lock. Signed with the
        // cluster key, as a leader's rollout or its desired state in ZooKeeper would be.
        long recorded = desired(jackson).ticket().sequence();
        SignedRolloutTicket six = clusterKey.sign(new RolloutTicket("r-hostile-race-6", recorded + 1, descriptor(v1),
                leader, false));
        SignedRolloutTicket seven = clusterKey.sign(new RolloutTicket("r-hostile-race-7", recorded + 2, descriptor(v3),
                leader, false));
        // What the cluster decided: both rollouts run (as a leader records them before it pushes), so that
        // the replay check, not the check against ZooKeeper (case 5c), is what this case holds.
        decide("r-hostile-race-6", descriptor(v1), "RUNNING");
        decide("r-hostile-race-7", descriptor(v3), "RUNNING");
        // The follower stores 2.17.2 already; 2.19.2 is staged as a leader would, which records nothing.
        TransferTicket transfer = begin(seven);
        write(transfer.transferId(), Files.readAllBytes(v3));
        Answer staged = call(STAGE, transfer.transferId());
        assertFalse("stage of 2.19.2: " + staged, staged.failed());

        // Seven's swap holds the applier's lock for 3 s (a fault point after Bundle.update); six's
        // call arrives meanwhile, passes the check made before the lock and waits for it.
        Path pause = cluster.nodes().home(follower).resolve("data/hotpot/faults/AFTER_UPDATE");
        Files.createDirectories(pause.getParent());
        Files.writeString(pause, "3000");
        String replayed = "rollout 'r-hostile-race-6'";
        int logged = securityLines(follower, replayed, "REPLAY");
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<Answer> first = callers.submit(() -> call(APPLY_STORED, seven));
            await("the swap to 2.19.2 pausing at AFTER_UPDATE").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50)).until(() -> cluster.nodes().log(follower)
                            .contains("pausing at AFTER_UPDATE"));
            java.util.concurrent.Future<Answer> second = callers.submit(() -> call(APPLY_STORED, six));
            Answer applied = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
            Answer late = second.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse("the newer ticket applies: " + applied, applied.failed());
            // Before the fix 2.17.2 ran again after 2.19.2, a downgrade without the rollback flag, and only
            // then was six refused, when its ticket was to be recorded, with no SECURITY line.
            cluster.assertRuns(follower, jackson, "2.19.2", Fixtures.sha256(v3));
            assertRefused(late, "REPLAY");
        } finally {
            callers.shutdownNow();
            Files.deleteIfExists(pause);
            forget("r-hostile-race-6");
            forget("r-hostile-race-7");
        }
        awaitSecurityLines(follower, logged + 1, replayed, "REPLAY");

        // The cluster's own way forward: a leader's rollout (its sequence is the time, far past these)
        // brings every node to what ZooKeeper says again.
        assertOk(cluster.distribute(v3));
        cluster.assertConverged(jackson, "2.19.2", Fixtures.sha256(v3), cluster.nodes().nodes());
    }

    // ---------------------------------------------------------------------------------------------
    // 6. An artifact over the size limit.

    @Test
    public void case6OversizedArtifactIsRefusedBeforeAnyByte() throws Exception {
        World before = World.now();
        long max = maxBytes(follower);
        ArtifactDescriptor huge = new ArtifactDescriptor("org.example.hostile.huge", "1.0.0", sha256(new byte[]{1}), max + 1);
        int logged = securityLines(follower, "rollout 'r-hostile-huge'", "ARTIFACT", "artifact.max.bytes=" + max);

        Answer answer = call(BEGIN_TRANSFER, clusterKey.sign(ticket("r-hostile-huge", huge, false)));
        assertRefused(answer, "ARTIFACT");
        assertTrue(answer.message(), answer.message().contains("exceeds artifact.max.bytes=" + max));

        awaitSecurityLines(follower, logged + 1, "rollout 'r-hostile-huge'", "ARTIFACT", "artifact.max.bytes=" + max);
        // No transfer was opened, so not even an empty staging file exists (the World compares data/hotpot).
        before.assertUnchanged("an oversized artifact");
    }

    // ---------------------------------------------------------------------------------------------
    // 7. A non-jar, and a jar without a manifest, under valid tickets.

    @Test
    public void case7NonJarAndJarWithoutManifestAreRefusedAtStage() throws Exception {
        byte[] notAJar = new byte[3000];
        new Random(7).nextBytes(notAJar);
        byte[] noManifest = zipWithoutManifest();
        for (Map.Entry<String, byte[]> c : List.of(Map.entry("org.example.hostile.notajar", notAJar),
                Map.entry("org.example.hostile.nomanifest", noManifest))) {
            World before = World.now();
            ArtifactDescriptor claimed = new ArtifactDescriptor(c.getKey(), "1.0.0", sha256(c.getValue()), c.getValue().length);
            String rollout = "r-hostile-" + c.getKey().substring(c.getKey().lastIndexOf('.') + 1);
            int logged = securityLines(follower, "rollout '" + rollout + "'", "ARTIFACT");

            TransferTicket transfer = begin(clusterKey.sign(ticket(rollout, claimed, false)));
            write(transfer.transferId(), c.getValue());
            assertTrue("the bytes are staged while they arrive",
                    Files.exists(stagingDir(follower).resolve(transfer.transferId() + ".part")));
            assertRefused(call(STAGE, transfer.transferId()), "ARTIFACT");

            awaitSecurityLines(follower, logged + 1, "rollout '" + rollout + "'", "ARTIFACT");
            assertFalse("the staging file is removed",
                    Files.exists(stagingDir(follower).resolve(transfer.transferId() + ".part")));
            before.assertUnchanged(c.getKey());
            assertNotStored(claimed.sha256());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 8. Names with path traversal.

    @Test
    public void case8PathTraversalNamesAreRefused() throws Exception {
        World before = World.now();
        Map<String, List<String>> outside = outsideTheStore();

        ArtifactDescriptor kv = descriptor(Fixtures.jar("kv-1.0.0.jar"));
        byte[] call = traversalCall("r-hostile-traversal", TRAVERSAL);
        int malformed = securityLines(follower, "rollout 'r-hostile-traversal' (a malformed ticket)", "DESCRIPTOR");
        for (String method : List.of(BEGIN_TRANSFER, APPLY_STORED)) {
            // The ticket arrives malformed (through its serialization proxy) and the node's first check refuses it,
            // with a SECURITY line; before issue 11 item 7 the record's constructor refused it while fastbin read
            // the call, and the node logged nothing.
            Answer answer = show(method + " (patched name)", FastbinClient.callRaw(port, endpoint, method, call));
            assertRefused(answer, "DESCRIPTOR");
            assertTrue(answer.message(), answer.message().contains("not an OSGi symbolic name: '" + TRAVERSAL + "'"));
        }
        awaitSecurityLines(follower, malformed + 2, "rollout 'r-hostile-traversal' (a malformed ticket)", "DESCRIPTOR");

        // The same in the ticket's other names, which the record does not check but the follower does.
        int logged = securityLines(follower, "NAME", "invalid");
        assertRefused(call(BEGIN_TRANSFER, clusterKey.sign(new RolloutTicket("../../../tmp/hostile", SEQUENCE.incrementAndGet(),
                kv, leader, false))), "NAME");
        assertRefused(call(BEGIN_TRANSFER, clusterKey.sign(new RolloutTicket("r-hostile-traversal", SEQUENCE.incrementAndGet(),
                kv, "../../x", false))), "NAME");
        awaitSecurityLines(follower, logged + 2, "NAME", "invalid");

        // Names that reach the file system only if the follower trusted them. Both are refused
        // (their reason and SECURITY line: issue5StrictReasonsAndLogLines).
        Answer read = call(READ_CHUNK, "../../../etc/passwd", 0L, 10);
        assertTrue(read.toString(), read.failed());
        assertTrue(read.message(), read.message().contains("../../../etc/passwd") && read.message().contains("invalid"));
        assertFalse("no bytes of /etc/passwd: " + read.text(), read.text().contains("root:"));
        Answer write = call(WRITE_CHUNK, "../../x", 0L, new byte[]{1, 2, 3});
        assertTrue(write.toString(), write.failed());
        assertTrue(write.message(), write.message().contains("../../x")
                && (write.message().contains("unknown transfer") || write.message().contains("invalid")));

        before.assertUnchanged("path traversal names");
        assertEquals("no file appeared outside the store", outside, outsideTheStore());
        for (String node : cluster.nodes().nodes()) {
            Path hotpot = cluster.nodes().home(node).resolve("data/hotpot");
            for (String dir : List.of("artifacts", "staging", "applied", "snapshots", "security")) {
                for (String name : List.of(TRAVERSAL, "../../x", "../../../tmp/hostile")) {
                    for (String suffix : List.of("", ".part", ".jar", ".properties", ".history", ".state")) {
                        Path p = hotpot.resolve(dir).resolve(name + suffix).normalize();
                        assertFalse(p + " exists", Files.exists(p));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 9. A different bundle claiming an existing symbolic name.

    @Test
    public void case9BundlesClaimingProtectedNamesAreRefused() throws Exception {
        // Issue 11 item 6: Aries RSA's fastbin provider carries every remote call; the runtime is not
        // wired to it, but a signed ticket must not replace it.
        for (String bsn : List.of("io.hotpot.runtime", "org.apache.karaf.shell.core",
                "org.apache.aries.rsa.provider.fastbin")) {
            Path jar = claimant(bsn);
            ArtifactDescriptor claimed = descriptor(jar);

            // (a) On the leader's console: refused before anything is recorded or sent.
            World before = World.now();
            int leaderLogged = securityLines(leader, bsn + "/99.0.0", "claims the symbolic name");
            String out = cluster.distribute(jar);
            System.out.println("hot:distribute of a jar named " + bsn + ":\n" + out);
            assertFalse(out, out.contains("OK: rollout"));
            assertTrue(out, out.contains("Error executing command") && out.contains("claims the symbolic name of bundle"));
            awaitSecurityLines(leader, leaderLogged + 1, bsn + "/99.0.0", "claims the symbolic name");
            before.assertUnchanged("hot:distribute of a jar named " + bsn);

            // (b) Straight to the follower under a valid ticket: refused when the bytes are staged.
            String rollout = "r-hostile-claim-" + bsn.replace('.', '-');
            int claims = securityLines(follower, claimed.coordinates() + " sha256 " + claimed.shortDigest(), "claims the symbolic name");
            int logged = securityLines(follower, "rollout '" + rollout + "'", "claims the symbolic name");
            TransferTicket transfer = begin(clusterKey.sign(ticket(rollout, claimed, false)));
            write(transfer.transferId(), Files.readAllBytes(jar));
            Answer staged = call(STAGE, transfer.transferId());
            // The claim guard refuses and logs (the answer's reason, CLAIM: issue5StrictReasonsAndLogLines).
            assertRefused(staged, null);
            assertTrue(staged.message(), staged.message().contains("claims the symbolic name of bundle"));
            awaitSecurityLines(follower, claims + 1, claimed.coordinates() + " sha256 " + claimed.shortDigest(), "claims the symbolic name");
            awaitSecurityLines(follower, logged + 1, "rollout '" + rollout + "'", "claims the symbolic name");
            before.assertUnchanged("a ticket for a jar named " + bsn);
            assertNotStored(claimed.sha256());
            cluster.assertRuns(follower, LANG, "3.12.0", null);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Issue 11 item 2: a fake endpoint published under ZooKeeper's /osgi, which any client may write.

    /**
     * An attacker runs a {@code FollowerService} endpoint of its own ({@link FakeFollower}, fastbin's
     * wire format) and publishes it under {@code /osgi/service_registry} with an unauthenticated
     * ZooKeeper client, as a copy of the follower's own endpoint description with its own endpoint
     * id and address. The leader imports it, as the newest endpoint of the follower. Before issue 11
     * item 2, the leader then sent it the rollout's ticket ({@code beginTransfer}), took its forged
     * {@code UPDATED} for the follower's, and the follower never ran the rollout. Now the leader asks
     * the import to prove its membership; the fake's proof, signed with a foreign key, is refused
     * with a {@code SECURITY ... MEMBERSHIP} line, the fake gets nothing but the challenge, and the
     * rollout runs on the real follower. A second fake relays the challenge to the real follower and
     * returns its proof: refused too, since that proof names the follower's own endpoint and address.
     * (Had a fake got through, its {@code UPDATED} would still not count: a report must be signed by
     * the node with the cluster key, over the ticket it answers; {@code EndpointProofsTest}.)
     */
    @Test
    public void fakeEndpointUnderOsgiGetsNoTicketAndItsAnswersAreRefused() throws Exception {
        String realAddress = "tcp://127.0.0.1:" + port;
        String registry = "/osgi/service_registry";
        String realZnode = null;
        String realXml = null;
        for (String child : zookeeper.getChildren().forPath(registry)) {
            String xml = new String(zookeeper.getData().forPath(registry + "/" + child), StandardCharsets.UTF_8);
            if (xml.contains(endpoint) && xml.contains(realAddress)) {
                realZnode = child;
                realXml = xml;
            }
        }
        assertTrue("the follower's endpoint " + endpoint + " at " + realAddress + " is under " + registry, realXml != null);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        MemberSigner forger = new MemberSigner(follower, generator.generateKeyPair().getPrivate());
        String fakeId = java.util.UUID.randomUUID().toString();
        String relayId = java.util.UUID.randomUUID().toString();
        java.util.concurrent.atomic.AtomicBoolean relay = new java.util.concurrent.atomic.AtomicBoolean();
        String prove = signature("prove", byte[].class);
        java.util.concurrent.atomic.AtomicReference<FakeFollower> fakeRef = new java.util.concurrent.atomic.AtomicReference<>();
        try (FakeFollower fake = new FakeFollower((method, args) -> switch (method) {
            case "prove" -> {
                if (!relay.get()) {
                    yield forger.prove(fakeId, fakeRef.get().address(), (byte[]) args[0]);
                }
                try {
                    yield FastbinClient.call(port, endpoint, prove, args[0]).value();
                } catch (IOException e) {
                    yield new IllegalStateException(e);
                }
            }
            case "nodeId" -> follower;
            case "status" -> new NodeStatus(follower, false, List.of(), System.currentTimeMillis());
            // Claims to hold the bytes already, so that no chunk is needed, then to have applied them.
            case "beginTransfer" -> new TransferTicket("fake", ((SignedRolloutTicket) args[0]).ticket().artifact().size());
            case "writeChunk", "stage", "abortTransfer" -> null;
            case "applyStored" -> {
                RolloutTicket t = ((SignedRolloutTicket) args[0]).ticket();
                ArtifactDescriptor a = t.artifact();
                yield forger.sign(t, new ApplyReport(follower, a, ApplyOutcome.UPDATED, null, a.version(), "ACTIVE", null,
                        follower + " runs " + a.coordinates(), -1, 0, 0, 1));
            }
            default -> new UnsupportedOperationException(method);
        });
             CuratorFramework anyone = CuratorFrameworkFactory.newClient(cluster.zookeeper().getConnectString(),
                     new RetryOneTime(100))) {
            fakeRef.set(fake);
            anyone.start();
            World before = World.now();

            // 1. A fake whose proof is signed with a foreign key, imported by the leader, then a rollout.
            int logged = securityLines(leader, "endpoint " + fakeId, "MEMBERSHIP");
            anyone.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath(registry + "/"
                    + realZnode.replace(endpoint, fakeId), realXml.replace(endpoint, fakeId).replace(realAddress, fake.address())
                    .getBytes(StandardCharsets.UTF_8));
            awaitImported(leader, fakeId);
            before.assertUnchanged("a fake endpoint imported");

            Path text = Fixtures.jar("commons-text-1.10.0.jar");
            String out = cluster.distribute(text);
            assertEquals("what the fake endpoint was sent during the rollout: " + fake.calls(), List.of("prove"),
                    fake.calls().stream().map(FakeFollower.Call::method).distinct().toList());
            assertOk(out);
            String sha = Fixtures.sha256(text);
            cluster.assertRuns(follower, "org.apache.commons.commons-text", "1.10.0", sha);
            cluster.assertRuns(leader, "org.apache.commons.commons-text", "1.10.0", sha);
            awaitSecurityLines(leader, logged + 1, "endpoint " + fakeId, "MEMBERSHIP", "does not verify");

            // 2. A fake that relays the challenge to the real follower and returns its proof.
            relay.set(true);
            int relayed = securityLines(leader, "endpoint " + relayId, "MEMBERSHIP", "is for endpoint " + endpoint);
            anyone.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL).forPath(registry + "/"
                    + realZnode.replace(endpoint, relayId), realXml.replace(endpoint, relayId).replace(realAddress, fake.address())
                    .getBytes(StandardCharsets.UTF_8));
            awaitImported(leader, relayId);
            // The leader asks an import when it looks for the follower: hot:nodes does, as a rollout does.
            cluster.run(leader, "hot:nodes");
            awaitSecurityLines(leader, relayed + 1, "endpoint " + relayId, "MEMBERSHIP", "is for endpoint " + endpoint);
            String nodes = cluster.run(leader, "hot:nodes");
            assertTrue(nodes, nodes.contains(endpoint));
            assertFalse(nodes, nodes.contains(fakeId) || nodes.contains(relayId));

            List<String> sent = fake.calls().stream().map(FakeFollower.Call::method).distinct().toList();
            assertEquals("the fake endpoints were only asked to prove themselves: " + fake.calls(), List.of("prove"), sent);
        }
    }

    /** Waits until Aries RSA on that node imported the endpoint (its RemoteServiceAdminCore logs each import). */
    private static void awaitImported(String node, String endpointId) {
        await(node + " imports endpoint " + endpointId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.nodes().log(node).contains("Importing service " + endpointId));
    }

    // ---------------------------------------------------------------------------------------------
    // Issue 5's wording: each refusal's reason and SECURITY line.

    /**
     * Issue 5 asks every refusal to name its reason in the answer ({@code refused (REASON)}) and to
     * write a {@code SECURITY <node>: refused} line. This test holds that strict form for the
     * refusals whose wording the cases above leave open, and lists every gap at once: a tampered
     * chunk ({@code DIGEST}, from {@code RolloutVerifier.check}, which the follower's staging runs as
     * its admission), a bundle claiming a protected symbolic name ({@code CLAIM}), and path traversal
     * in {@code readChunk}'s digest and {@code writeChunk}'s transfer id ({@code NAME}), and a
     * descriptor that breaks its record's rules ({@code DESCRIPTOR}; before issue 11 item 7 it was
     * refused while fastbin read the call, with no SECURITY line).
     */
    @Test
    public void issue5StrictReasonsAndLogLines() throws Exception {
        World before = World.now();
        List<String> gaps = new ArrayList<>();

        Path jar = Fixtures.jar("kv-1.0.0.jar");
        byte[] tampered = Files.readAllBytes(jar);
        tampered[tampered.length / 2] ^= 0x5a;
        TransferTicket chunk = begin(clusterKey.sign(ticket("r-hostile-strict-chunk", descriptor(jar), false)));
        write(chunk.transferId(), tampered);
        expect(gaps, "a tampered chunk", "DIGEST", "rollout 'r-hostile-strict-chunk'", () -> call(STAGE, chunk.transferId()));

        Path claimant = claimant("io.hotpot.runtime");
        TransferTicket claim = begin(clusterKey.sign(ticket("r-hostile-strict-claim", descriptor(claimant), false)));
        write(claim.transferId(), Files.readAllBytes(claimant));
        expect(gaps, "a claimed name", "CLAIM", "rollout 'r-hostile-strict-claim'", () -> call(STAGE, claim.transferId()));

        // A descriptor naming "../../etc/x", which the record's rules refuse (issue 11 item 7).
        byte[] traversal = traversalCall("r-hostile-strict-traversal", TRAVERSAL);
        expect(gaps, "a descriptor naming " + TRAVERSAL, "DESCRIPTOR", "rollout 'r-hostile-strict-traversal' (a malformed ticket)",
                () -> show("applyStored (patched name)", FastbinClient.callRaw(port, endpoint, APPLY_STORED, traversal)));
        expect(gaps, "readChunk of ../../../etc/passwd", "NAME", "../../../etc/passwd",
                () -> call(READ_CHUNK, "../../../etc/passwd", 0L, 10));
        expect(gaps, "writeChunk to ../../x", "NAME", "../../x", () -> call(WRITE_CHUNK, "../../x", 0L, new byte[]{1}));

        before.assertUnchanged("the strict cases");
        assertTrue("issue 5 is not met for:\n" + String.join("\n", gaps), gaps.isEmpty());
    }

    // ---------------------------------------------------------------------------------------------
    // 10. A flood of transfers under one valid ticket (issue 11 item 4).

    /**
     * A caller that holds one valid ticket (sniffed, or received as a fake endpoint would) begins
     * transfer after transfer. Before the bounds, each begin opened a transfer that never expired,
     * with its ticket on the heap and a staging file of up to artifact.max.bytes: all 50 were
     * accepted. Now one rollout's artifact holds at most two transfers; every other begin is refused
     * ({@code LIMIT}) with a SECURITY line, the staging folder holds at most those two files, and
     * the node keeps answering the leader.
     */
    @Test
    public void case10AFloodOfTransfersUnderOneTicketIsBounded() throws Exception {
        World before = World.now();
        Path jar = Fixtures.jar("kv-1.0.0.jar");
        byte[] bytes = Files.readAllBytes(jar);
        SignedRolloutTicket valid = clusterKey.sign(ticket("r-hostile-flood", descriptor(jar), false));
        int logged = securityLines(follower, "for rollout r-hostile-flood", "LIMIT");
        List<String> begun = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            Answer answer = FastbinClient.call(port, endpoint, BEGIN_TRANSFER, valid);
            if (answer.failed()) {
                assertRefused(answer, "LIMIT");
                refused++;
            } else {
                TransferTicket t = (TransferTicket) answer.value();
                begun.add(t.transferId());
                write(t.transferId(), bytes);
            }
        }
        System.out.println("[hostile] 50 beginTransfer calls under one ticket: " + begun.size() + " begun, "
                + refused + " refused");
        assertEquals("transfers begun under one ticket", 2, begun.size());
        try (Stream<Path> staged = Files.list(stagingDir(follower))) {
            assertEquals("staging files on " + follower, 2, staged.count());
        }
        awaitSecurityLines(follower, logged + 48, "for rollout r-hostile-flood", "LIMIT");
        // The node keeps serving: the leader's status call to it answers.
        await("the leader reaches " + follower).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> RunningCluster.row(ConsoleTable.parse(cluster.run(leader, "hot:nodes")), "Node", follower)
                        .map(r -> "-".equals(r.get("Problem"))).orElse(false));
        for (String id : begun) {
            assertFalse(FastbinClient.call(port, endpoint, ABORT_TRANSFER, id).failed());
        }
        before.assertUnchanged("a flood of transfers, once the two begun are aborted");
    }

    /** Records a gap unless the call is refused with that reason and logged with that fragment. */
    private static void expect(List<String> gaps, String what, String reason, String logged, Callable<Answer> call)
            throws Exception {
        int lines = securityLines(follower, logged);
        Answer answer = call.call();
        if (!answer.failed()) {
            gaps.add(what + ": ACCEPTED: " + answer);
            return;
        }
        if (!answer.message().contains(follower + " refused (" + reason + ")")) {
            gaps.add(what + ": the answer does not say '" + follower + " refused (" + reason + ")': " + answer.message());
        }
        // The refusals that are logged are logged before the answer is sent: a few seconds is plenty.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (securityLines(follower, logged) <= lines) {
            if (System.nanoTime() > deadline) {
                gaps.add(what + ": no 'SECURITY " + follower + ": refused' line naming " + logged + " in karaf.log");
                return;
            }
            Thread.sleep(200);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Calls and assertions.

    private static RolloutTicket ticket(String rolloutId, ArtifactDescriptor artifact, boolean rollback) {
        return new RolloutTicket(rolloutId, SEQUENCE.incrementAndGet(), artifact, leader, rollback);
    }

    /** @return the node's RSA endpoint id, fastbin's service id: what a caller must name in every frame */
    private static String endpoint(String node) {
        String other = cluster.nodes().nodes().stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
        return ConsoleTable.parse(cluster.run(other, "hot:nodes")).stream()
                .filter(r -> node.equals(r.get("Node"))).map(r -> r.get("Endpoint")).findFirst().orElseThrow();
    }

    private static Answer call(String method, Object... args) throws IOException {
        return show(method.substring(0, method.indexOf(',')), FastbinClient.call(port, endpoint, method, args));
    }

    /** beginTransfer that must be accepted: the check under test comes later. */
    private static TransferTicket begin(SignedRolloutTicket ticket) throws IOException {
        Answer answer = call(BEGIN_TRANSFER, ticket);
        assertFalse("beginTransfer of a valid ticket: " + answer, answer.failed());
        return (TransferTicket) answer.value();
    }

    /** writeChunk of every byte, in the chunks a leader would send; each must be accepted. */
    private static void write(String transferId, byte[] bytes) throws IOException {
        for (int offset = 0; offset < bytes.length; offset += CHUNK) {
            byte[] chunk = Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + CHUNK));
            Answer answer = call(WRITE_CHUNK, transferId, (long) offset, chunk);
            assertFalse("writeChunk at " + offset + ": " + answer, answer.failed());
        }
    }

    /** The call failed with the follower's refusal naming that reason (any reason if null). */
    private static void assertRefused(Answer answer, String reason) {
        assertRefused(follower, answer, reason);
    }

    private static void assertRefused(String node, Answer answer, String reason) {
        String expected = node + " refused (" + (reason == null ? "" : reason + ")");
        assertTrue("expected a refusal (" + reason + "), got " + answer, answer.failed());
        assertTrue("expected '" + expected + "' in: " + answer.message(), answer.message().contains(expected));
    }

    /** Prints what the follower answered, for the test's output. */
    private static Answer show(String what, Answer answer) {
        System.out.println("[hostile] " + what + " -> " + answer);
        return answer;
    }

    /** @return how many {@code SECURITY <node>: refused} lines of the node's karaf.log hold every fragment */
    private static int securityLines(String node, String... fragments) throws IOException {
        String prefix = "SECURITY " + node + ": refused ";
        return (int) cluster.nodes().log(node).lines()
                .filter(l -> l.contains(prefix) && Stream.of(fragments).allMatch(l::contains)).count();
    }

    private static void awaitSecurityLines(String node, int count, String... fragments) {
        await("SECURITY " + node + ": refused ... " + String.join(" ... ", fragments) + " (" + count + " lines)")
                .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> securityLines(node, fragments) >= count);
    }

    private static void assertNotStored(String sha256) {
        for (String node : cluster.nodes().nodes()) {
            assertFalse(node + " stores " + sha256, Files.exists(storeFile(node, sha256)));
        }
    }

    private static Path storeFile(String node, String sha256) {
        return cluster.nodes().home(node).resolve("data/hotpot/artifacts").resolve(sha256 + ".jar");
    }

    private static Path stagingDir(String node) {
        return cluster.nodes().home(node).resolve("data/hotpot/staging");
    }

    private static long maxBytes(String node) throws IOException {
        Path cfg = cluster.nodes().home(node).resolve("etc/io.hotpot.node.cfg");
        String v = properties(cfg).getProperty("artifact.max.bytes");
        return v == null ? DEFAULT_MAX_BYTES : Long.parseLong(v.trim());
    }

    /** @return the desired state's signed ticket of a symbolic name, read from ZooKeeper */
    private static SignedRolloutTicket desired(String bsn) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(new String(zookeeper.getData().forPath("/hotpot/desired/" + bsn), StandardCharsets.UTF_8)));
        ArtifactDescriptor artifact = new ArtifactDescriptor(p.getProperty("symbolicName"), p.getProperty("version"),
                p.getProperty("sha256"), Long.parseLong(p.getProperty("size")));
        RolloutTicket ticket = new RolloutTicket(p.getProperty("rolloutId"), Long.parseLong(p.getProperty("sequence")),
                artifact, p.getProperty("leader"), Boolean.parseBoolean(p.getProperty("rollback")));
        return new SignedRolloutTicket(ticket, Base64.getDecoder().decode(p.getProperty("signature")));
    }

    /**
     * @return for every node, the entries of its home, etc/ and data/ folders: where a name with
     *         {@code ../} resolved against one of the store's folders would land
     */
    private static Map<String, List<String>> outsideTheStore() throws IOException {
        Map<String, List<String>> all = new TreeMap<>();
        for (String node : cluster.nodes().nodes()) {
            Path home = cluster.nodes().home(node);
            for (Path dir : List.of(home, home.resolve("etc"), home.resolve("data"))) {
                try (Stream<Path> entries = Files.list(dir)) {
                    all.put(node + ":" + home.relativize(dir), entries.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
        }
        return all;
    }

    // ---------------------------------------------------------------------------------------------
    // What "nothing changed" compares.

    /**
     * The observable state of the whole cluster: each node's own {@code hot:status -d} output and
     * its full {@code bundle:list} (every bundle, not only the managed ones: a claimed name would
     * show there), the SHA-256 of every file under each node's {@code data/hotpot} (artifact store,
     * staging, replay record, applied records, snapshots, journal), and every Hotpot znode that
     * records decisions and outcomes (desired state, actual state, rollouts).
     */
    // ---------------------------------------------------------------------------------------------
    // 5c. Tickets the cluster no longer stands behind (issue 11 item 1).

    /**
     * A signed ticket is applied only while the cluster runs its rollout, as ZooKeeper records it.
     * <ul>
     *   <li>A node that a halted rollout skipped: the leader had staged the bytes there (every node
     *       stages before any applies), the halt returned only the nodes that applied, and the
     *       skipped node's replay record never saw the ticket. The test leaves the same state: the
     *       rollout recorded {@code ROLLED_BACK} in ZooKeeper, commons-lang3 3.14.0 staged on the
     *       follower under that rollout's ticket. Before the fix, {@code applyStored} of that ticket
     *       made the follower run 3.14.0, the version the cluster rejected, and nothing brought it
     *       back.</li>
     *   <li>A wiped node (its replay record deleted, as on a new node): before the fix it accepted
     *       every ticket ever signed, here one of the 3.14.0 rollout that case 5 completed and then
     *       rolled back, at sequence 1.</li>
     * </ul>
     * Both are refused {@code UNDECIDED} with a SECURITY line, and nothing changes on any node.
     */
    @Test
    public void case5cTicketsTheClusterNoLongerRunsAreRefused() throws Exception {
        Path jar14 = Fixtures.jar("commons-lang3-3.14.0.jar");
        ArtifactDescriptor v14 = descriptor(jar14);
        cluster.assertRuns(follower, LANG, "3.12.0", null);

        // (a) The skipped node of a halted rollout.
        String halted = "r-hostile-halted";
        decide(halted, v14, "ROLLED_BACK");
        try {
            SignedRolloutTicket skipped = clusterKey.sign(ticket(halted, v14, false));
            if (!Files.exists(storeFile(follower, v14.sha256()))) {
                TransferTicket transfer = begin(skipped);
                write(transfer.transferId(), Files.readAllBytes(jar14));
                Answer staged = call(STAGE, transfer.transferId());
                assertFalse("staging is every node's say, before any node applies: " + staged, staged.failed());
            }
            World before = World.now();
            int logged = securityLines(follower, "rollout '" + halted + "'", "UNDECIDED", "ROLLED_BACK, not running");
            Answer applied = call(APPLY_STORED, skipped);
            assertRefused(applied, "UNDECIDED");
            awaitSecurityLines(follower, logged + 1, "rollout '" + halted + "'", "UNDECIDED", "ROLLED_BACK, not running");
            before.assertUnchanged("a halted rollout's ticket sent to a node it skipped");
        } finally {
            forget(halted);
        }

        // (b) A wiped node, whose replay record is empty.
        String completed = zookeeper.getChildren().forPath("/hotpot/rollouts").stream().filter(id -> {
            try {
                Properties p = new Properties();
                p.load(new java.io.StringReader(new String(zookeeper.getData().forPath("/hotpot/rollouts/" + id),
                        StandardCharsets.UTF_8)));
                return v14.sha256().equals(p.getProperty("artifact.sha256")) && "COMPLETED".equals(p.getProperty("status"));
            } catch (Exception e) {
                return false;
            }
        }).findFirst().orElseThrow(() -> new AssertionError("no COMPLETED rollout of 3.14.0 (case 5) in ZooKeeper"));
        cluster.nodes().stop(follower);
        Files.delete(cluster.nodes().home(follower).resolve("data/hotpot/security/accepted.properties"));
        cluster.nodes().startNode(follower);
        cluster.awaitReady();
        endpoint = endpoint(follower);
        cluster.assertRuns(follower, LANG, "3.12.0", null);
        // A started node writes its actual state to ZooKeeper on its own time: compare from when it is at rest.
        World before = World.settled();
        SignedRolloutTicket old = clusterKey.sign(new RolloutTicket(completed, 1, v14, leader, false));
        int logged = securityLines(follower, "rollout '" + completed + "'", "UNDECIDED", "COMPLETED, not running");
        assertRefused(call(APPLY_STORED, old), "UNDECIDED");
        awaitSecurityLines(follower, logged + 1, "rollout '" + completed + "'", "UNDECIDED", "COMPLETED, not running");
        before.assertUnchanged("an old ticket sent to a wiped node");
    }

    /**
     * Records a rollout in ZooKeeper as a leader does (RolloutLog's fields), through the cluster's
     * own identity: what the cluster decided, for the cases that need a decision of their own.
     */
    private static void decide(String rolloutId, ArtifactDescriptor artifact, String status) throws Exception {
        Properties p = new Properties();
        p.setProperty("artifact.symbolicName", artifact.symbolicName());
        p.setProperty("artifact.version", artifact.version());
        p.setProperty("artifact.sha256", artifact.sha256());
        p.setProperty("artifact.size", Long.toString(artifact.size()));
        p.setProperty("source", "HostileRolloutIT");
        p.setProperty("policy", "all");
        p.setProperty("trigger", "CONSOLE");
        p.setProperty("leader", leader);
        p.setProperty("startedAt", Long.toString(System.currentTimeMillis()));
        p.setProperty("finishedAt", "RUNNING".equals(status) ? "0" : Long.toString(System.currentTimeMillis()));
        p.setProperty("status", status);
        p.setProperty("message", "");
        java.io.StringWriter text = new java.io.StringWriter();
        p.store(text, null);
        zookeeper.create().orSetData().creatingParentsIfNeeded().forPath("/hotpot/rollouts/" + rolloutId,
                text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void forget(String rolloutId) throws Exception {
        zookeeper.delete().quietly().deletingChildrenIfNeeded().forPath("/hotpot/rollouts/" + rolloutId);
    }

    private record World(Map<String, String> consoles, Map<String, String> files, Map<String, String> znodes) {

        static World now() throws Exception {
            Map<String, String> status = new TreeMap<>();
            Map<String, String> files = new TreeMap<>();
            for (String node : cluster.nodes().nodes()) {
                status.put(node + " hot:status -d", cluster.run(node, "hot:status -d"));
                status.put(node + " bundle:list -t 0 -s", cluster.run(node, "bundle:list -t 0 -s"));
                Path root = cluster.nodes().home(node).resolve("data/hotpot");
                try (Stream<Path> tree = Files.walk(root)) {
                    for (Path p : tree.filter(Files::isRegularFile).sorted().toList()) {
                        files.put(node + ":" + root.relativize(p), sha256(Files.readAllBytes(p)));
                    }
                }
            }
            Map<String, String> znodes = new TreeMap<>();
            for (String path : List.of("/hotpot/desired", "/hotpot/actual", "/hotpot/rollouts")) {
                read(path, znodes);
            }
            return new World(status, files, znodes);
        }

        /** @return the World once two snapshots 2 s apart are equal, within 60 s */
        static World settled() throws Exception {
            World last = now();
            for (int i = 0; i < 30; i++) {
                Thread.sleep(2_000);
                World next = now();
                if (next.equals(last)) {
                    return next;
                }
                last = next;
            }
            throw new AssertionError("the cluster did not come to rest within 60 s");
        }

        private static void read(String path, Map<String, String> into) throws Exception {
            try {
                into.put(path, new String(zookeeper.getData().forPath(path), StandardCharsets.UTF_8));
                for (String child : zookeeper.getChildren().forPath(path)) {
                    read(path + "/" + child, into);
                }
            } catch (KeeperException.NoNodeException e) {
                into.put(path, "(none)");
            }
        }

        void assertUnchanged(String after) throws Exception {
            World now = now();
            for (String command : consoles.keySet()) {
                assertEquals(command + " after " + after, consoles.get(command), now.consoles.get(command));
            }
            assertEquals("files under data/hotpot after " + after, files, now.files);
            assertEquals("ZooKeeper after " + after, znodes, now.znodes);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Artifacts.

    private static ArtifactDescriptor descriptor(Path jar) throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes a = file.getManifest().getMainAttributes();
            return new ArtifactDescriptor(a.getValue("Bundle-SymbolicName").split(";")[0].trim(),
                    a.getValue("Bundle-Version").trim(), Fixtures.sha256(jar), Files.size(jar));
        }
    }

    /** @return a well-formed bundle that claims the symbolic name of an installed protected bundle */
    private static Path claimant(String bsn) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "99.0.0");
        Path jar = jars.resolve(bsn + "-99.0.0.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            out.putNextEntry(new JarEntry("hostile/readme.txt"));
            out.write(("not the real " + bsn).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    /** @return a sound zip with a class-like entry but no META-INF/MANIFEST.MF */
    private static byte[] zipWithoutManifest() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.putNextEntry(new ZipEntry("org/example/hostile/Payload.class"));
            out.write(new byte[]{(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    /**
     * @return a serialized beginTransfer/applyStored argument array whose ticket names that symbolic
     *         name, which ArtifactDescriptor's constructor refuses: a valid name of the same length
     *         is serialized, then its bytes are patched, as an attacker's own encoder would write them
     */
    private static byte[] traversalCall(String rolloutId, String name) throws Exception {
        String placeholder = "z".repeat(name.length());
        ArtifactDescriptor kv = descriptor(Fixtures.jar("kv-1.0.0.jar"));
        ArtifactDescriptor squat = new ArtifactDescriptor(placeholder, kv.version(), kv.sha256(), kv.size());
        SignedRolloutTicket signed = clusterKey.sign(ticket(rolloutId, squat, false));
        return replaceOnce(FastbinClient.serialize(new Object[]{signed}),
                placeholder.getBytes(StandardCharsets.UTF_8), name.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] replaceOnce(byte[] data, byte[] what, byte[] with) {
        assertEquals(what.length, with.length);
        int found = -1;
        for (int i = 0; i + what.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + what.length, what, 0, what.length)) {
                assertEquals("the placeholder occurs once in the serialized call", -1, found);
                found = i;
            }
        }
        assertTrue("the placeholder occurs in the serialized call", found >= 0);
        byte[] patched = data.clone();
        System.arraycopy(with, 0, patched, found, with.length);
        return patched;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }
}
