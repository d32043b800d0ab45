package io.hotpot.api;

import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RolloutTicket} with the leader's Ed25519 signature over the ticket's canonical bytes
 * (see {@code io.hotpot.runtime.security.ticket.CanonicalTicket}). Immutable and thread-safe: the
 * signature is copied in and out.
 *
 * <p><b>On the wire</b> a signed ticket travels as its plain fields (a serialization proxy), and is
 * rebuilt from them after it is read. A ticket whose fields break {@link RolloutTicket}'s or
 * {@link ArtifactDescriptor}'s rules (a symbolic name {@code ../x}, say) or whose signature has the
 * wrong length therefore still arrives, as a <em>malformed</em> ticket: {@link #malformed()} says
 * what is wrong, and {@link #ticket()} throws. Had the records' own constructors refused it while the
 * call was read, the node could not have logged the refusal (issue 11 item 7); this way the node's
 * checks refuse it, and log it, like any other bad ticket.
 */
public final class SignedRolloutTicket implements Serializable {

    @Serial
    private static final long serialVersionUID = 2L;

    /** Length of an Ed25519 signature, in bytes (RFC 8032). */
    public static final int SIGNATURE_BYTES = 64;

    private final RolloutTicket ticket;
    private final byte[] signature;
    /** Why the ticket read from the wire is not a valid one; null when it is. */
    private final String malformed;
    /** The raw fields of a malformed ticket, for the security log; null when valid. */
    private final Wire raw;

    /**
     * @param ticket    what is authorized
     * @param signature the Ed25519 signature, {@value #SIGNATURE_BYTES} bytes
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the signature is not {@value #SIGNATURE_BYTES} bytes long
     */
    public SignedRolloutTicket(RolloutTicket ticket, byte[] signature) {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(signature, "signature");
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be " + SIGNATURE_BYTES + " bytes, got " + signature.length);
        }
        this.ticket = ticket;
        this.signature = signature.clone();
        this.malformed = null;
        this.raw = null;
    }

    private SignedRolloutTicket(Wire raw, String malformed) {
        this.ticket = null;
        this.signature = raw.signature == null ? new byte[0] : raw.signature.clone();
        this.malformed = malformed;
        this.raw = raw;
    }

    /**
     * @return what is authorized
     * @throws IllegalArgumentException if this ticket arrived malformed (see {@link #malformed()})
     */
    public RolloutTicket ticket() {
        if (ticket == null) {
            throw new IllegalArgumentException(malformed);
        }
        return ticket;
    }

    /** @return a copy of the signature (of any length, if the ticket arrived malformed) */
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * @return why this ticket, as read from the wire, breaks the rules of {@link RolloutTicket},
     *         {@link ArtifactDescriptor} or the signature's length, naming the field; empty for a
     *         well-formed ticket
     */
    public Optional<String> malformed() {
        return Optional.ofNullable(malformed);
    }

    /**
     * @return the rollout id as sent, even of a malformed ticket (possibly null or hostile text:
     *         make it printable before logging it)
     */
    public String sentRolloutId() {
        return ticket != null ? ticket.rolloutId() : raw.rolloutId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedRolloutTicket other && Objects.equals(ticket, other.ticket)
                && Arrays.equals(signature, other.signature) && Objects.equals(malformed, other.malformed);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(ticket) + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return ticket != null ? "SignedRolloutTicket[" + ticket + "]" : "SignedRolloutTicket[malformed: " + malformed + "]";
    }

    @Serial
    private Object writeReplace() {
        if (raw != null) {
            return raw;
        }
        ArtifactDescriptor a = ticket.artifact();
        return new Wire(ticket.rolloutId(), ticket.sequence(), a.symbolicName(), a.version(), a.sha256(), a.size(),
                ticket.leaderId(), ticket.rollback(), ticket.action() == RolloutTicket.Action.RUN ? null
                : ticket.action().name(), ticket.setSize() == 1 ? 0 : ticket.setSize(), signature);
    }

    @Serial
    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        // Only the proxy is ever written; a stream that holds this class itself was not written by it.
        throw new java.io.InvalidObjectException("a SignedRolloutTicket is read through its proxy");
    }

    /**
     * The serialized form: every field as a JDK value, so that reading it never fails on what the
     * fields hold; the rules are applied when it is resolved.
     */
    private static final class Wire implements Serializable {

        @Serial
        private static final long serialVersionUID = 1L;

        private final String rolloutId;
        private final long sequence;
        private final String symbolicName;
        private final String version;
        private final String sha256;
        private final long size;
        private final String leaderId;
        private final boolean rollback;
        /**
         * The {@link RolloutTicket.Action}'s name; null for {@code RUN}, as in tickets written before
         * there were actions (a field added to the same serial version: older readers ignore it, and
         * then the signature, made over the action too, fails there, so an old node never takes a
         * removal for a run).
         */
        private final String action;
        /** {@link RolloutTicket#setSize()}; 0, as in tickets written before sets, for 1. */
        private final int setSize;
        private final byte[] signature;

        Wire(String rolloutId, long sequence, String symbolicName, String version, String sha256, long size,
             String leaderId, boolean rollback, String action, int setSize, byte[] signature) {
            this.rolloutId = rolloutId;
            this.sequence = sequence;
            this.symbolicName = symbolicName;
            this.version = version;
            this.sha256 = sha256;
            this.size = size;
            this.leaderId = leaderId;
            this.rollback = rollback;
            this.action = action;
            this.setSize = setSize;
            this.signature = signature;
        }

        @Serial
        private Object readResolve() throws ObjectStreamException {
            try {
                return new SignedRolloutTicket(new RolloutTicket(rolloutId, sequence,
                        new ArtifactDescriptor(symbolicName, version, sha256, size), leaderId, rollback,
                        action == null ? RolloutTicket.Action.RUN : RolloutTicket.Action.valueOf(action),
                        setSize == 0 ? 1 : setSize), signature);
            } catch (IllegalArgumentException | NullPointerException e) {
                return new SignedRolloutTicket(this, "malformed ticket: " + e.getMessage());
            }
        }
    }
}
