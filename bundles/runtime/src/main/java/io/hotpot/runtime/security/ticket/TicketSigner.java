package io.hotpot.runtime.security.ticket;

import io.hotpot.runtime.security.credentials.ClusterKeys;

import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs rollout tickets with the cluster's Ed25519 key; the leader's side of
 * {@link TicketVerifier}. Thread-safe: each call uses its own {@link Signature}.
 */
public final class TicketSigner {

    private final PrivateKey key;

    /** @param key the cluster's signing key, see {@link ClusterKeys#signingKey()} */
    public TicketSigner(PrivateKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * @return the ticket with its signature over {@link CanonicalTicket#bytes}
     * @throws IllegalStateException if the key cannot sign (not Ed25519)
     */
    public SignedRolloutTicket sign(RolloutTicket ticket) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(CanonicalTicket.bytes(ticket));
            return new SignedRolloutTicket(ticket, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign rollout " + ticket.rolloutId() + ": " + e.getMessage(), e);
        }
    }
}
