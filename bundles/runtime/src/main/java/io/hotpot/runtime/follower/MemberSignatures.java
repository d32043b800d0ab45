package io.hotpot.runtime.follower;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedApplyReport;
import io.hotpot.runtime.security.member.MemberSigner;

import java.util.Objects;
import java.util.Optional;

/**
 * What this node signs of what it says to others: its answer to
 * {@link io.hotpot.api.FollowerService#prove} (its exported endpoint, as its own Remote Service
 * Admin reports it, with the caller's challenge) and its apply reports. Thread-safe.
 */
public final class MemberSignatures {

    private final ExportedEndpoint exported;
    private final MemberSigner signer;

    /**
     * @param exported where this node's FollowerService is exported
     * @param signer   signs with the cluster key
     */
    public MemberSignatures(ExportedEndpoint exported, MemberSigner signer) {
        this.exported = Objects.requireNonNull(exported, "exported");
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    /**
     * @param challenge {@value MembershipProof#CHALLENGE_BYTES} bytes; the caller checked the length
     * @return the proof, or empty while the service is not exported
     */
    public Optional<MembershipProof> prove(byte[] challenge) {
        return exported.get().map(a -> signer.prove(a.endpointId(), a.address(), challenge));
    }

    /**
     * @param ticket the ticket this report answers
     * @param report this node's report
     * @return the report, signed over it and the ticket
     */
    public SignedApplyReport sign(RolloutTicket ticket, ApplyReport report) {
        return signer.sign(ticket, report);
    }
}
