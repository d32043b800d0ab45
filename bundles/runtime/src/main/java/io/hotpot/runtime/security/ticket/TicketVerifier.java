package io.hotpot.runtime.security.ticket;

import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.names.RemoteNames;

import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.security.SecurityRefusal.Reason;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * Checks that a rollout ticket was signed by a key the cluster trusts and that its fields have the
 * required form. Says nothing about the bytes or about replays: see {@link io.hotpot.runtime.security.verify.RolloutVerifier}.
 * Thread-safe: each call uses its own {@link Signature}.
 */
public final class TicketVerifier {

    private final io.hotpot.runtime.security.credentials.TrustedKeys trusted;

    /**
     * @param trusted the keys whose signatures are accepted, see {@link ClusterKeys#trustedKeys()}
     * @throws IllegalArgumentException if the list is empty
     */
    public TicketVerifier(List<PublicKey> trusted) {
        this.trusted = new io.hotpot.runtime.security.credentials.TrustedKeys(trusted);
    }

    /**
     * @return the ticket, once its fields have the required form and its signature verifies with
     *         one of the trusted keys
     * @throws SecurityRefusal with reason {@link Reason#NAME} if an id has the wrong form,
     *                         {@link Reason#SIGNATURE} if no trusted key verifies the signature
     */
    public RolloutTicket verify(SignedRolloutTicket signed) throws SecurityRefusal {
        RolloutTicket ticket = signed.ticket();
        RemoteNames.requireRolloutId(ticket.rolloutId());
        RemoteNames.requireNodeId(ticket.leaderId(), "leader id");
        byte[] bytes = CanonicalTicket.bytes(ticket);
        byte[] signature = signed.signature();
        try {
            if (trusted.verify(bytes, signature)) {
                return ticket;
            }
        } catch (GeneralSecurityException e) {
            // A malformed signature (e.g. a point not on the curve) is a refusal, not a crash.
            throw new SecurityRefusal(Reason.SIGNATURE, "rollout " + ticket.rolloutId() + " of "
                    + ticket.artifact().coordinates() + ": malformed signature (" + e.getMessage() + ")");
        }
        throw new SecurityRefusal(Reason.SIGNATURE, "rollout " + ticket.rolloutId() + " of "
                + ticket.artifact().coordinates() + " signed by " + ticket.leaderId()
                + ": signature does not verify with any of the " + trusted.size() + " trusted keys");
    }
}
