package io.hotpot.api;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link RolloutTicket} with the leader's Ed25519 signature over the ticket's canonical bytes
 * (see {@code io.hotpot.runtime.security.ticket.CanonicalTicket}). Immutable and thread-safe: the signature
 * is copied in and out.
 *
 * @param ticket    what is authorized
 * @param signature the Ed25519 signature, 64 bytes
 */
public record SignedRolloutTicket(RolloutTicket ticket, byte[] signature) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Length of an Ed25519 signature, in bytes (RFC 8032). */
    public static final int SIGNATURE_BYTES = 64;

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the signature is not 64 bytes long
     */
    public SignedRolloutTicket {
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(signature, "signature");
        if (signature.length != SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be " + SIGNATURE_BYTES + " bytes, got " + signature.length);
        }
        signature = signature.clone();
    }

    /** @return a copy of the signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedRolloutTicket other && ticket.equals(other.ticket)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * ticket.hashCode() + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedRolloutTicket[" + ticket + "]";
    }
}
