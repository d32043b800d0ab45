package io.hotpot.runtime.security.member;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedApplyReport;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs what this node says of itself with the cluster's Ed25519 key: its membership proofs and its
 * apply reports; the signing side of {@link MemberVerifier}. Thread-safe: each call uses its
 * own {@link Signature}.
 */
public final class MemberSigner {

    private final String nodeId;
    private final PrivateKey key;

    /**
     * @param nodeId this node's id, the one its endpoint carries
     * @param key    the cluster's signing key
     */
    public MemberSigner(String nodeId, PrivateKey key) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * @param endpointId this node's exported endpoint id
     * @param address    where it is served
     * @param challenge  the caller's challenge, {@value MembershipProof#CHALLENGE_BYTES} bytes
     * @return the proof
     * @throws IllegalArgumentException if the challenge has the wrong length
     * @throws IllegalStateException    if the key cannot sign (not Ed25519)
     */
    public MembershipProof prove(String endpointId, String address, byte[] challenge) {
        if (challenge.length != MembershipProof.CHALLENGE_BYTES) {
            throw new IllegalArgumentException("a challenge is " + MembershipProof.CHALLENGE_BYTES + " bytes, got "
                    + challenge.length);
        }
        return new MembershipProof(nodeId, endpointId, address, challenge,
                sign(CanonicalProof.bytes(nodeId, endpointId, address, challenge), "a membership proof"));
    }

    /**
     * @param ticket the ticket the report answers, as this node received it
     * @param report this node's report of it
     * @return the report with this node's signature over it and the ticket
     * @throws IllegalStateException if the key cannot sign (not Ed25519)
     */
    public SignedApplyReport sign(RolloutTicket ticket, ApplyReport report) {
        return new SignedApplyReport(report, sign(CanonicalReport.bytes(ticket, report), "an apply report"));
    }

    private byte[] sign(byte[] bytes, String what) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(bytes);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign " + what + ": " + e.getMessage(), e);
        }
    }
}
