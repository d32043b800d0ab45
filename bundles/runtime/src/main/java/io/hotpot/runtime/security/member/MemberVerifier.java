package io.hotpot.runtime.security.member;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedApplyReport;

import io.hotpot.runtime.security.credentials.TrustedKeys;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Checks what another node says of itself: a {@link MembershipProof} against the endpoint it was
 * asked of (the same node id, endpoint id and address as the import that was called, the challenge
 * that was sent), and a {@link SignedApplyReport} against the node and the ticket it answers; both
 * signed by one of the cluster's trusted keys. Thread-safe: each call uses its own {@link Signature}.
 */
public final class MemberVerifier {

    private final TrustedKeys trusted;

    /**
     * @param trusted the keys whose signatures are accepted
     * @throws IllegalArgumentException if the list is empty
     */
    public MemberVerifier(List<PublicKey> trusted) {
        this.trusted = new TrustedKeys(trusted);
    }

    /**
     * What an import says of itself, which its proof must match.
     *
     * @param nodeId     its {@code hotpot.node.id}
     * @param endpointId its {@code endpoint.id}
     * @param address    its {@code aries.fastbin.address}
     */
    public record Claim(String nodeId, String endpointId, String address) {
        @Override
        public String toString() {
            return "endpoint " + endpointId + " at " + address + " claiming node " + nodeId;
        }
    }

    /**
     * @param claim     what the called import says it is
     * @param challenge what was sent
     * @param proof     what came back
     * @return empty if the proof holds; else why not, for the security log
     */
    public Optional<String> refusal(Claim claim, byte[] challenge, MembershipProof proof) {
        if (!Arrays.equals(challenge, proof.challenge())) {
            return Optional.of("the proof is for another challenge (a replayed answer)");
        }
        if (!claim.nodeId().equals(proof.nodeId())) {
            return Optional.of("the proof is by node " + proof.nodeId());
        }
        if (!claim.endpointId().equals(proof.endpointId()) || !claim.address().equals(proof.address())) {
            // What a relay gets: the real node proves its own endpoint, not the relay's.
            return Optional.of("the proof is for endpoint " + proof.endpointId() + " at " + proof.address());
        }
        return signatureRefusal(CanonicalProof.bytes(proof.nodeId(), proof.endpointId(), proof.address(), challenge),
                proof.signature());
    }

    /**
     * @param nodeId the node that was asked
     * @param ticket the ticket that was sent
     * @param signed what came back
     * @return empty if the report is that node's answer to that ticket; else why not, for the security log
     */
    public Optional<String> reportRefusal(String nodeId, RolloutTicket ticket, SignedApplyReport signed) {
        ApplyReport report = signed.report();
        if (!nodeId.equals(report.nodeId())) {
            return Optional.of("the report is by node " + report.nodeId());
        }
        if (!ticket.artifact().equals(report.artifact())) {
            return Optional.of("the report is of " + report.artifact().coordinates() + ", not of "
                    + ticket.artifact().coordinates());
        }
        // The ticket is in the signed bytes: a node's report of another rollout does not verify here.
        return signatureRefusal(CanonicalReport.bytes(ticket, report), signed.signature());
    }

    private Optional<String> signatureRefusal(byte[] bytes, byte[] signature) {
        try {
            if (trusted.verify(bytes, signature)) {
                return Optional.empty();
            }
        } catch (GeneralSecurityException e) {
            return Optional.of("malformed signature (" + e.getMessage() + ")");
        }
        return Optional.of("the signature does not verify with any of the " + trusted.size() + " trusted keys");
    }
}
