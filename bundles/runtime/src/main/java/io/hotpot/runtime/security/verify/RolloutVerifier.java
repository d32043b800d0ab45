package io.hotpot.runtime.security.verify;

import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.SecurityRefusal;

import io.hotpot.runtime.security.claims.BundleClaimGuard;
import io.hotpot.runtime.security.names.RemoteNames;
import io.hotpot.runtime.security.ticket.ReplayGuard;
import io.hotpot.runtime.security.ticket.TicketVerifier;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.security.SecurityRefusal.Reason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The follower's gate for code from other nodes: what must hold before a node keeps or applies an
 * artifact. In order, each check refusing with a {@link SecurityRefusal} and a security log line:
 * <ol>
 *   <li>the ticket's names and ids have the required form, and its size is within the node's bound;</li>
 *   <li>the ticket's signature verifies with a trusted key;</li>
 *   <li>the bytes have the ticket's size and SHA-256;</li>
 *   <li>the bytes are a sound bundle jar whose manifest names the ticket's symbolic name and
 *       version ({@link ArtifactInspector}, which also applies the {@link BundleClaimGuard});</li>
 *   <li>the ticket is not a replay ({@link ReplayGuard}): checked here, and checked again and
 *       recorded under the applier's lock ({@link #replayRefusal}, {@link #admitRunning}).</li>
 * </ol>
 * Thread-safe.
 */
public final class RolloutVerifier {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RolloutVerifier.class);

    private final TicketVerifier signatures;
    private final ArtifactInspector inspector;
    private final ReplayGuard replays;
    private final long maxBytes;
    private final SecurityLog log;

    /**
     * @param signatures the trusted keys
     * @param inspector  the node's artifact inspector
     * @param replays    the node's replay guard
     * @param maxBytes   the largest artifact accepted ({@code artifact.max.bytes}), in bytes
     * @param log        where refusals are logged
     * @throws IllegalArgumentException if maxBytes is not positive
     */
    public RolloutVerifier(TicketVerifier signatures, ArtifactInspector inspector, ReplayGuard replays,
                           long maxBytes, SecurityLog log) {
        this.signatures = Objects.requireNonNull(signatures, "signatures");
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.replays = Objects.requireNonNull(replays, "replays");
        this.log = Objects.requireNonNull(log, "log");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Checks only that a ticket read from the network is well-formed: its fields obey
     * {@link RolloutTicket}'s and {@link ArtifactDescriptor}'s rules (see
     * {@link SignedRolloutTicket#malformed()}). The first check of every call that carries a ticket.
     *
     * @param from who presented it, for the security log
     * @return the ticket, not yet verified
     * @throws SecurityRefusal ({@link Reason#DESCRIPTOR}), logged, if it is malformed
     */
    public RolloutTicket wellFormed(SignedRolloutTicket signed, String from) throws SecurityRefusal {
        try {
            requireWellFormed(signed);
        } catch (SecurityRefusal e) {
            throw logged(signed, from, e);
        }
        return signed.ticket();
    }

    /**
     * Checks a ticket before any byte is received (steps 1, 2 and the replay check of 5, without
     * recording it), so that a follower opens no staging file for an unauthorized artifact.
     *
     * @param from who presented it, for the security log
     * @return the verified ticket
     * @throws SecurityRefusal if a check fails
     */
    public RolloutTicket verifyTicket(SignedRolloutTicket signed, String from) throws SecurityRefusal {
        try {
            RolloutTicket ticket = checkTicket(signed);
            replays.check(ticket);
            return ticket;
        } catch (SecurityRefusal e) {
            throw logged(signed, from, e);
        }
    }

    /**
     * Checks a ticket and the bytes it covers (steps 1 to 5) without recording the ticket: for bytes
     * that are only kept, not applied, so that a rollout halted before this node's batch leaves the
     * node's replay record where it was.
     *
     * @param bytes the received artifact, e.g. a staging file
     * @param from  who presented it, for the security log
     * @return the verified artifact
     * @throws SecurityRefusal if a check fails
     */
    public ArtifactDescriptor check(SignedRolloutTicket signed, Path bytes, String from) throws SecurityRefusal {
        try {
            RolloutTicket ticket = checkTicket(signed);
            ArtifactDescriptor claimed = ticket.artifact();
            long size = Files.size(bytes);
            if (size != claimed.size()) {
                throw new SecurityRefusal(Reason.DIGEST, claimed.coordinates() + ": " + size
                        + " bytes received, the ticket covers " + claimed.size());
            }
            String sha = Sha256.of(bytes);
            if (!sha.equals(claimed.sha256())) {
                throw new SecurityRefusal(Reason.DIGEST, claimed.coordinates() + ": the bytes hash to sha256 " + sha
                        + ", the ticket covers " + claimed.sha256());
            }
            ArtifactDescriptor actual;
            try {
                actual = inspector.inspect(bytes, claimed.coordinates() + " of rollout " + ticket.rolloutId());
            } catch (InvalidArtifactException e) {
                // A name or claim check inside the inspector keeps its own reason.
                throw new SecurityRefusal(e.getCause() instanceof SecurityRefusal r ? r.reason() : Reason.ARTIFACT,
                        e.getMessage());
            }
            if (!actual.equals(claimed)) {
                throw new SecurityRefusal(Reason.DESCRIPTOR, "rollout " + ticket.rolloutId() + ": the bytes are "
                        + actual.coordinates() + ", the ticket names " + claimed.coordinates());
            }
            replays.check(ticket);
            return actual;
        } catch (SecurityRefusal e) {
            throw logged(signed, from, e);
        } catch (IOException e) {
            SecurityRefusal refusal = new SecurityRefusal(Reason.ARTIFACT, "cannot read the received bytes "
                    + bytes.getFileName() + ": " + e.getMessage());
            throw logged(signed, from, refusal);
        }
    }

    /**
     * The replay check (step 5) alone, without recording anything: what an apply checks again under
     * the applier's lock ({@code Admission}), so that of two tickets that both passed
     * {@link #check} only one that is still newer than the record goes ahead.
     *
     * @param from who presented it, for the security log
     * @return the refusal ({@link Reason#REPLAY}, its security log line written), or empty
     */
    public java.util.Optional<SecurityRefusal> replayRefusal(SignedRolloutTicket signed, String from) {
        try {
            replays.check(signed.ticket());
            return java.util.Optional.empty();
        } catch (SecurityRefusal e) {
            return java.util.Optional.of(logged(signed, from, e));
        }
    }

    /**
     * Records a ticket as the newest accepted for its symbolic name once its artifact runs, under the
     * applier's lock after {@link #replayRefusal} let it through; returns once the record is on disk.
     * A ticket whose apply failed (and was rolled back) is not recorded, so the node's record names
     * what it runs. A failure to record is logged, not thrown: the bundle already runs the artifact.
     */
    public void admitRunning(SignedRolloutTicket signed) {
        try {
            replays.admit(signed.ticket());
        } catch (SecurityRefusal | java.io.UncheckedIOException e) {
            LOG.error("Hotpot: rollout {} of {} runs, but the replay record could not be written: {}",
                    RemoteNames.printable(signed.ticket().rolloutId()), signed.ticket().artifact().coordinates(),
                    e.getMessage());
        }
    }

    /**
     * Checks an id or digest a caller sent before it is used to find anything.
     *
     * @param what  what the value names, e.g. "transfer id"
     * @param value the value as received
     * @param check the form it must have, from {@link RemoteNames}
     * @param from  who sent it, for the security log
     * @throws SecurityRefusal ({@link Reason#NAME}), logged, if the value does not have the form
     */
    public void requireName(String what, String value, NameCheck check, String from) throws SecurityRefusal {
        try {
            check.require(value);
        } catch (SecurityRefusal e) {
            log.refused(what + " '" + RemoteNames.printable(String.valueOf(value)) + "'", from, e.reason() + ": "
                    + e.getMessage());
            throw e;
        }
    }

    /**
     * Logs a refusal that another part of the node decided (a bound it enforces), as the checks
     * above log theirs, so that every refusal on the remote path leaves a {@code SECURITY} line.
     *
     * @param reason which bound or check refused
     * @param what   what was refused
     * @param from   who sent it
     * @param why    the refusal's message
     * @return the refusal, for the caller to throw
     */
    public SecurityRefusal refused(Reason reason, String what, String from, String why) {
        log.refused(what, from, reason + ": " + why);
        return new SecurityRefusal(reason, why);
    }

    /** One of {@link RemoteNames}' form checks. */
    @FunctionalInterface
    public interface NameCheck {
        void require(String value) throws SecurityRefusal;
    }

    private RolloutTicket checkTicket(SignedRolloutTicket signed) throws SecurityRefusal {
        requireWellFormed(signed);
        RolloutTicket ticket = signed.ticket();
        ArtifactDescriptor a = ticket.artifact();
        RemoteNames.requireSymbolicName(a.symbolicName());
        RemoteNames.requireVersion(a.version());
        if (a.size() > maxBytes) {
            throw new SecurityRefusal(Reason.ARTIFACT, a.coordinates() + ": " + a.size()
                    + " bytes exceeds artifact.max.bytes=" + maxBytes);
        }
        return signatures.verify(signed);
    }

    /** Fields that break the records' own rules, read through the ticket's proxy (issue 11 item 7). */
    private static void requireWellFormed(SignedRolloutTicket signed) throws SecurityRefusal {
        if (signed.malformed().isPresent()) {
            throw new SecurityRefusal(Reason.DESCRIPTOR, RemoteNames.printable(signed.malformed().get()));
        }
    }

    private SecurityRefusal logged(SignedRolloutTicket signed, String from, SecurityRefusal e) {
        if (signed.malformed().isPresent()) {
            log.refused("rollout " + RemoteNames.printable(String.valueOf(signed.sentRolloutId())) + " (a malformed ticket)",
                    from, e.reason() + ": " + e.getMessage());
            return e;
        }
        RolloutTicket t = signed.ticket();
        log.refused("rollout " + RemoteNames.printable(t.rolloutId()) + " of " + t.artifact().coordinates()
                + " (sequence " + t.sequence() + ")", from, e.reason() + ": " + e.getMessage());
        return e;
    }
}
