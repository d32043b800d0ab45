package io.hotpot.api;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A node's {@link ApplyReport} with its Ed25519 signature, by the cluster key, over the report and
 * the exact ticket it answers (see {@code io.hotpot.runtime.security.member.CanonicalReport}). The
 * leader counts a node's step only once the signature holds, so that no endpoint can answer
 * {@code UPDATED} for a node it is not, nor reuse a node's answer to another ticket. Immutable and
 * thread-safe: the signature is copied in and out.
 *
 * @param report    what the node reports
 * @param signature the Ed25519 signature, {@value SignedRolloutTicket#SIGNATURE_BYTES} bytes
 * @since 0.2
 */
public record SignedApplyReport(ApplyReport report, byte[] signature) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the signature is not {@value SignedRolloutTicket#SIGNATURE_BYTES} bytes
     */
    public SignedApplyReport {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(signature, "signature");
        if (signature.length != SignedRolloutTicket.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be " + SignedRolloutTicket.SIGNATURE_BYTES
                    + " bytes, got " + signature.length);
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
        return o instanceof SignedApplyReport other && report.equals(other.report) && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return 31 * report.hashCode() + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedApplyReport[" + report + "]";
    }
}
