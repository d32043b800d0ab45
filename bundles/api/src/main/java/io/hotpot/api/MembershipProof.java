package io.hotpot.api;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A node's answer to {@link FollowerService#prove}: who it is, the Remote Service Admin endpoint it
 * is exported under, and its signature with the cluster's Ed25519 key over these and the caller's
 * challenge (see {@code io.hotpot.runtime.security.member.CanonicalProof}).
 *
 * <p>Aries RSA's discovery znodes under {@code /osgi} can be written by any ZooKeeper client, so an
 * imported endpoint that carries a node's id proves nothing by itself. A caller that checks the
 * signature with a trusted key, that the challenge is the fresh one it sent, and that the node id,
 * endpoint id and address are the ones of the import it called, knows that the endpoint is served by
 * a holder of the cluster key at that address. An endpoint that relays the challenge to a real node
 * gets back a proof for the real node's address, not its own. Immutable and thread-safe: the byte
 * arrays are copied in and out.
 *
 * @param nodeId     the proving node's {@code hotpot.node.id}
 * @param endpointId the {@code endpoint.id} (RSA Core, OSGi Compendium R8 122.4) of the node's
 *                   exported {@link FollowerService}
 * @param address    where that endpoint is served: fastbin's {@code aries.fastbin.address}, e.g.
 *                   {@code tcp://127.0.0.1:2543}
 * @param challenge  the caller's challenge, {@value #CHALLENGE_BYTES} bytes
 * @param signature  the Ed25519 signature, {@value SignedRolloutTicket#SIGNATURE_BYTES} bytes
 */
public record MembershipProof(String nodeId, String endpointId, String address, byte[] challenge, byte[] signature)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Length of a challenge, in bytes: 256 random bits, never sent twice. */
    public static final int CHALLENGE_BYTES = 32;

    /**
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the challenge is not {@value #CHALLENGE_BYTES} bytes or the
     *                                  signature not {@value SignedRolloutTicket#SIGNATURE_BYTES}
     */
    public MembershipProof {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(signature, "signature");
        if (challenge.length != CHALLENGE_BYTES) {
            throw new IllegalArgumentException("challenge must be " + CHALLENGE_BYTES + " bytes, got " + challenge.length);
        }
        if (signature.length != SignedRolloutTicket.SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be " + SignedRolloutTicket.SIGNATURE_BYTES
                    + " bytes, got " + signature.length);
        }
        challenge = challenge.clone();
        signature = signature.clone();
    }

    /** @return a copy of the challenge */
    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    /** @return a copy of the signature */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MembershipProof other && nodeId.equals(other.nodeId) && endpointId.equals(other.endpointId)
                && address.equals(other.address) && Arrays.equals(challenge, other.challenge)
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, endpointId, address) * 31 + Arrays.hashCode(challenge);
    }

    @Override
    public String toString() {
        return "MembershipProof[" + nodeId + " " + endpointId + " at " + address + "]";
    }
}
