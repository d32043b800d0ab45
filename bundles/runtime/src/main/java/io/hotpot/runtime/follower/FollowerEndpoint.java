package io.hotpot.runtime.follower;

import io.hotpot.api.ApplyPreview;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.BundleStatus;
import io.hotpot.api.FollowerService;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedApplyReport;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.apply.Admission;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.apply.BundleStates;
import io.hotpot.runtime.apply.SetMember;
import io.hotpot.runtime.security.names.RemoteNames;
import io.hotpot.runtime.security.verify.RolloutVerifier;
import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.InboundTransfers;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * This node's {@link FollowerService}: receives chunks into {@link InboundTransfers} and hands
 * verified artifacts to the {@link BundleApplier}. Exported through Aries RSA by the node
 * component. Thread-safe.
 */
public final class FollowerEndpoint implements FollowerService {

    /** Who calls, for the security log: RSA does not say which node it is. */
    private static final String CALLER = "a caller of this node's FollowerService (Aries RSA)";

    private static final Logger LOG = LoggerFactory.getLogger(FollowerEndpoint.class);

    private final String nodeId;
    private final InboundTransfers transfers;
    private final BundleApplier applier;
    private final ArtifactStore store;
    private final BooleanSupplier leadership;
    private final java.util.function.Consumer<ApplyReport> outcomes;
    private final RolloutVerifier verifier;
    private final RolloutDecisions decisions;
    private final int maxReadBytes;
    private final MemberSignatures signatures;

    /**
     * @param nodeId     this node
     * @param transfers  staging of incoming artifacts
     * @param applier    the apply pipeline
     * @param store      the node's artifact store, for digests in {@link #status()}
     * @param leadership whether this node leads right now
     * @param outcomes   told of every apply's report (to record the node's actual state)
     * @param verifier   checks tickets and bytes before anything is kept or touched
     * @param decisions  whether the cluster runs a ticket's rollout now, checked before each apply
     * @param maxReadBytes the largest {@link #readChunk} answer, in bytes: below the RSA message bound
     * @param signatures answers {@link #prove} and signs this node's apply reports
     * @throws IllegalArgumentException if maxReadBytes is not positive
     */
    public FollowerEndpoint(String nodeId, InboundTransfers transfers, BundleApplier applier, ArtifactStore store,
                            BooleanSupplier leadership, java.util.function.Consumer<ApplyReport> outcomes,
                            RolloutVerifier verifier, RolloutDecisions decisions, int maxReadBytes,
                            MemberSignatures signatures) {
        if (maxReadBytes <= 0) {
            throw new IllegalArgumentException("maxReadBytes must be > 0: " + maxReadBytes);
        }
        this.verifier = verifier;
        this.decisions = java.util.Objects.requireNonNull(decisions, "decisions");
        this.maxReadBytes = maxReadBytes;
        this.signatures = java.util.Objects.requireNonNull(signatures, "signatures");
        this.nodeId = nodeId;
        this.transfers = transfers;
        this.applier = applier;
        this.store = store;
        this.leadership = leadership;
        this.outcomes = outcomes;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public MembershipProof prove(byte[] challenge) throws TransferException {
        if (challenge == null || challenge.length != MembershipProof.CHALLENGE_BYTES) {
            throw refused(verifier.refused(SecurityRefusal.Reason.NAME, "a membership challenge", CALLER,
                    "a challenge is " + MembershipProof.CHALLENGE_BYTES + " bytes, got "
                            + (challenge == null ? "null" : challenge.length)));
        }
        return signatures.prove(challenge).orElseThrow(() -> new TransferException(nodeId
                + ": its FollowerService is not exported through Remote Service Admin (yet)"));
    }

    @Override
    public NodeStatus status() {
        List<BundleStatus> bundles = new ArrayList<>();
        for (AppliedArtifact applied : store.allApplied()) {
            Optional<Bundle> bundle = applier.installed(applied.artifact().symbolicName());
            if (bundle.isEmpty()) {
                continue;
            }
            Bundle b = bundle.get();
            bundles.add(new BundleStatus(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                    BundleStates.name(b.getState()), runningDigest(applied, b), b.getLocation()));
        }
        return new NodeStatus(nodeId, leadership.getAsBoolean(), bundles, System.currentTimeMillis());
    }

    @Override
    public TransferTicket beginTransfer(SignedRolloutTicket signed) throws TransferException {
        RolloutTicket t = verified(() -> verifier.verifyTicket(signed, CALLER));
        ArtifactDescriptor descriptor = t.artifact();
        TransferTicket ticket;
        try {
            ticket = transfers.begin(t.rolloutId(), descriptor, signed);
        } catch (InboundTransfers.LimitReached e) {
            // A caller with one valid ticket could otherwise fill the heap and the disk (issue 11 item 4).
            throw refused(verifier.refused(SecurityRefusal.Reason.LIMIT, "a transfer of " + descriptor.coordinates()
                    + " for rollout " + t.rolloutId(), CALLER, e.getMessage()));
        }
        LOG.info("Hotpot: receiving {} ({} bytes, sha256 {}) for rollout {} (sequence {}), resuming at byte {}",
                descriptor.coordinates(), descriptor.size(), descriptor.shortDigest(), t.rolloutId(), t.sequence(),
                ticket.resumeOffset());
        return ticket;
    }

    @Override
    public void writeChunk(String transferId, long offset, byte[] data) throws TransferException {
        requireTransferId(transferId);
        transfers.write(transferId, offset, data);
    }

    @Override
    public void stage(String transferId) throws TransferException {
        requireTransferId(transferId);
        SignedRolloutTicket signed = transfers.ticket(transferId).orElse(null);
        if (signed == null) {
            transfers.abort(transferId);
            throw new TransferException(nodeId + ": unknown transfer " + transferId);
        }
        // The verifier checks size and digest itself, so that a tampered chunk is a logged refusal.
        InboundTransfers.Completed done = transfers.complete(transferId,
                (file, d, received) -> verified(() -> verifier.check(signed, file, CALLER)));
        // Staging is every node's say before any node applies: bytes this node could not resolve halt the
        // rollout now, when nothing anywhere has been touched.
        // A member of a set may import what another member exports: its say is the set's (stageSet).
        Optional<String> unresolved = signed.ticket().member() ? Optional.empty()
                : stagingRefusal(signed.ticket(), done.file());
        if (unresolved.isPresent()) {
            throw new TransferException(unresolved.get(), io.hotpot.api.ApplyPhase.RESOLVE);
        }
        LOG.info("Hotpot: staged {} sha256 {} for rollout {}", done.descriptor().coordinates(),
                done.descriptor().shortDigest(), done.rolloutId());
    }

    /**
     * What this node would refuse of a verified ticket before touching anything: for a run
     * ({@link BundleApplier#refusal}), a fragment or bytes that would not resolve here; for a removal
     * ({@link BundleApplier#removalRefusal}), other bundles wired to the bundle. The answer of
     * staging, every node's say before any node applies.
     *
     * @return why, naming the artifact and this node; empty if the node would apply it
     */
    public Optional<String> stagingRefusal(RolloutTicket ticket, Path jar) {
        return ticket.removal() ? applier.removalRefusal(ticket.artifact()) : applier.refusal(ticket.artifact(), jar);
    }

    @Override
    public SignedApplyReport applyStored(SignedRolloutTicket signed) throws TransferException {
        RolloutTicket t = verified(() -> verifier.wellFormed(signed, CALLER));
        ArtifactDescriptor artifact = t.artifact();
        if (t.member()) {
            throw refused(verifier.refused(SecurityRefusal.Reason.DESCRIPTOR, "rollout '" + t.rolloutId() + "' ("
                    + artifact.coordinates() + ")", CALLER, "a member of a set of " + t.setSize()
                    + " is applied only with its whole set (applyStoredSet), never alone"));
        }
        if (t.removal()) {
            // A removal needs no bytes here: the signed ticket alone says what goes.
            verified(() -> verifier.verifyTicket(signed, CALLER));
        } else {
            Path file = store.artifact(artifact.sha256()).orElseThrow(() -> new TransferException(nodeId
                    + " does not hold " + artifact.coordinates() + " sha256 " + artifact.shortDigest()));
            verified(() -> verifier.check(signed, file, CALLER));
        }
        // Whether the cluster runs this ticket's rollout now, so that a node a halted rollout skipped, or
        // one with an empty replay record, does not run what the cluster rejected (issue 11 item 1). A
        // ZooKeeper read: made before the applier's lock, so that it never holds up the node's other applies.
        Optional<String> undecided = decisions.refusal(t);
        if (undecided.isPresent()) {
            throw refused(verifier.refused(SecurityRefusal.Reason.UNDECIDED, "rollout '" + t.rolloutId() + "' ("
                    + artifact.coordinates() + " sha256 " + artifact.shortDigest() + ", sequence " + t.sequence() + ")",
                    CALLER, undecided.get()));
        }
        // The replay check again under the applier's lock, and the record before it is released: two
        // calls that both passed the check above do not both run (issue 11 item 3).
        java.util.concurrent.atomic.AtomicReference<SecurityRefusal> refusal = new java.util.concurrent.atomic.AtomicReference<>();
        Admission admission = new Admission(
                () -> verifier.replayRefusal(signed, CALLER).map(e -> {
                    refusal.set(e);
                    return e.reason() + ": " + e.getMessage();
                }), () -> verifier.admitRunning(signed));
        ApplyReport report = t.removal() ? applier.remove(artifact, admission)
                : applier.apply(t.rolloutId(), artifact, store.artifact(artifact.sha256()).orElseThrow(
                        () -> new TransferException(nodeId + " no longer holds " + artifact.coordinates())), admission);
        if (refusal.get() != null) {
            // Nothing was touched: refused like the checks above.
            throw refused(refusal.get());
        }
        outcomes.accept(report);
        return signatures.sign(t, report);
    }

    /** The most members a set may have: a bound on what one call makes this node check and hold. */
    static final int MAX_SET_MEMBERS = 256;

    @Override
    public void stageSet(List<SignedRolloutTicket> tickets) throws TransferException {
        List<SetMember> members = verifiedSet(tickets);
        Optional<String> refused = applier.setRefusal(members);
        if (refused.isPresent()) {
            throw new TransferException(refused.get(), io.hotpot.api.ApplyPhase.RESOLVE);
        }
        LOG.info("Hotpot: staged the set of {} for rollout {}: {}", members.size(), tickets.get(0).ticket().rolloutId(),
                members.stream().map(m -> m.artifact().coordinates()).toList());
    }

    @Override
    public List<SignedApplyReport> applyStoredSet(List<SignedRolloutTicket> tickets) throws TransferException {
        List<SetMember> members = verifiedSet(tickets);
        for (SignedRolloutTicket signed : tickets) {
            RolloutTicket t = signed.ticket();
            Optional<String> undecided = decisions.refusal(t);
            if (undecided.isPresent()) {
                throw refused(verifier.refused(SecurityRefusal.Reason.UNDECIDED, "rollout '" + t.rolloutId() + "' ("
                        + t.artifact().coordinates() + ", a member of a set of " + t.setSize() + ")", CALLER,
                        undecided.get()));
            }
        }
        java.util.concurrent.atomic.AtomicReference<SecurityRefusal> refusal = new java.util.concurrent.atomic.AtomicReference<>();
        List<ApplyReport> reports = applier.applySet(tickets.get(0).ticket().rolloutId(), members, new Admission(() -> {
            for (SignedRolloutTicket signed : tickets) {
                Optional<SecurityRefusal> r = verifier.replayRefusal(signed, CALLER);
                if (r.isPresent()) {
                    refusal.set(r.get());
                    return Optional.of(r.get().reason() + ": " + r.get().getMessage());
                }
            }
            return Optional.empty();
        }, () -> tickets.forEach(verifier::admitRunning)));
        if (refusal.get() != null) {
            throw refused(refusal.get());
        }
        List<SignedApplyReport> signed = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            outcomes.accept(reports.get(i));
            signed.add(signatures.sign(tickets.get(i).ticket(), reports.get(i)));
        }
        return signed;
    }

    /**
     * Checks a set's tickets one by one as {@link #applyStored} does (form, signature, stored bytes),
     * and that they are one whole set: one rollout, one sequence, as many as each says, distinct names.
     */
    private List<SetMember> verifiedSet(List<SignedRolloutTicket> tickets) throws TransferException {
        if (tickets == null || tickets.size() < 2 || tickets.size() > MAX_SET_MEMBERS) {
            throw refused(verifier.refused(SecurityRefusal.Reason.LIMIT, "a set", CALLER, "a set has 2 to "
                    + MAX_SET_MEMBERS + " members, got " + (tickets == null ? "none" : tickets.size())));
        }
        List<RolloutTicket> ts = new ArrayList<>();
        for (SignedRolloutTicket signed : tickets) {
            ts.add(verified(() -> verifier.wellFormed(signed, CALLER)));
        }
        RolloutTicket first = ts.get(0);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (RolloutTicket t : ts) {
            if (!t.rolloutId().equals(first.rolloutId()) || t.sequence() != first.sequence()
                    || t.setSize() != ts.size() || t.removal() || !names.add(t.artifact().symbolicName())) {
                throw refused(verifier.refused(SecurityRefusal.Reason.DESCRIPTOR, "a set of rollout '" + first.rolloutId()
                        + "'", CALLER, "its " + ts.size() + " tickets are not one whole set (one rollout, one sequence, "
                        + "each of a set of " + ts.size() + ", distinct symbolic names, none a removal): " + t.artifact()
                        .coordinates() + " of rollout '" + t.rolloutId() + "', sequence " + t.sequence() + ", set of "
                        + t.setSize()));
            }
        }
        List<SetMember> members = new ArrayList<>();
        for (SignedRolloutTicket signed : tickets) {
            ArtifactDescriptor a = signed.ticket().artifact();
            Path file = store.artifact(a.sha256()).orElseThrow(() -> new TransferException(nodeId + " does not hold "
                    + a.coordinates() + " sha256 " + a.shortDigest()));
            verified(() -> verifier.check(signed, file, CALLER));
            members.add(new SetMember(a, file));
        }
        return members;
    }

    @Override
    public ApplyPreview preview(SignedRolloutTicket signed, byte[] manifest) throws TransferException {
        verified(() -> verifier.wellFormed(signed, CALLER));
        RolloutTicket t = verified(() -> verifier.verifyTicket(signed, CALLER));
        return applier.preview(t, t.removal() ? null : manifestOf(t.artifact(), manifest));
    }

    /** The stored bytes' own manifest if this node holds them, else the one the leader sent. */
    private java.util.jar.Manifest manifestOf(ArtifactDescriptor artifact, byte[] sent) throws TransferException {
        Optional<Path> stored = store.artifact(artifact.sha256());
        try {
            if (stored.isPresent()) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(stored.get().toFile())) {
                    return jar.getManifest();
                }
            }
            if (sent == null || sent.length == 0 || sent.length > PREVIEW_MANIFEST_MAX_BYTES) {
                throw new TransferException(nodeId + ": a preview of " + artifact.coordinates() + " needs its manifest, "
                        + "1 to " + PREVIEW_MANIFEST_MAX_BYTES + " bytes, got " + (sent == null ? "none" : sent.length));
            }
            return new java.util.jar.Manifest(new java.io.ByteArrayInputStream(sent));
        } catch (IOException e) {
            throw new TransferException(nodeId + ": cannot read the manifest of " + artifact.coordinates() + ": "
                    + e.getMessage());
        }
    }

    @Override
    public byte[] readChunk(String sha256, long offset, int length) throws TransferException {
        verified(() -> {
            verifier.requireName("artifact digest", sha256, RemoteNames::requireSha256, CALLER);
            return null;
        });
        if (offset < 0 || length <= 0 || length > maxReadBytes) {
            throw new TransferException(nodeId + ": invalid readChunk(" + sha256 + ", " + offset + ", " + length + ")");
        }
        Path file = store.artifact(sha256).orElseThrow(() -> new TransferException(nodeId + " does not hold sha256 " + sha256));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long left = ch.size() - offset;
            if (left <= 0) {
                return new byte[0];
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(length, left));
            while (buffer.hasRemaining() && ch.read(buffer, offset + buffer.position()) > 0) {
                // read until full or end
            }
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            throw new TransferException(nodeId + ": cannot read sha256 " + sha256 + ": " + e.getMessage());
        }
    }

    @Override
    public void abortTransfer(String transferId) {
        transfers.abort(transferId);
    }

    /** A check that refuses with a {@link SecurityRefusal}, already logged by the verifier. */
    private interface Check<T> {
        T run() throws SecurityRefusal;
    }

    private void requireTransferId(String transferId) throws TransferException {
        verified(() -> {
            verifier.requireName("transfer id", transferId, RemoteNames::requireTransferId, CALLER);
            return null;
        });
    }

    private <T> T verified(Check<T> check) throws TransferException {
        try {
            return check.run();
        } catch (SecurityRefusal e) {
            throw refused(e);
        }
    }

    private TransferException refused(SecurityRefusal e) {
        return new TransferException(nodeId + " refused (" + e.reason() + "): " + e.getMessage());
    }

    private String runningDigest(AppliedArtifact applied, Bundle bundle) {
        if (!applied.artifact().version().equals(bundle.getVersion().toString())) {
            return null;
        }
        Optional<Path> file = store.artifact(applied.artifact().sha256());
        if (file.isEmpty()) {
            return null;
        }
        try {
            // Of the bytes on this disk, not copied from the record; computed again when the file changes.
            return store.digestOf(file.get());
        } catch (IOException e) {
            return null;
        }
    }
}
