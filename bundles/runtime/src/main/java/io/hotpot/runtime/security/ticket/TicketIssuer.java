package io.hotpot.runtime.security.ticket;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;

import java.util.List;
import java.util.Objects;

/**
 * The leader's side of rollout authorization: a fresh sequence number from ZooKeeper and the
 * cluster key's signature, for each decision (a rollout, or the return of updated nodes when a
 * rollout halts). Thread-safe.
 */
public final class TicketIssuer {

    private final String leaderId;
    private final RolloutSequence sequence;
    private final TicketSigner signer;

    /**
     * @param leaderId this node, named in every ticket it signs
     * @param sequence the cluster-wide sequence
     * @param signer   the cluster key
     */
    public TicketIssuer(String leaderId, RolloutSequence sequence, TicketSigner signer) {
        this.leaderId = Objects.requireNonNull(leaderId, "leaderId");
        this.sequence = Objects.requireNonNull(sequence, "sequence");
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    /**
     * Blocks for a few ZooKeeper round trips.
     *
     * @param rolloutId the rollout
     * @param artifact  the exact bytes authorized
     * @param rollback  whether this decision deliberately goes back to an older version
     * @return the signed ticket
     * @throws Exception if ZooKeeper cannot issue a sequence number
     */
    public SignedRolloutTicket issue(String rolloutId, ArtifactDescriptor artifact, boolean rollback) throws Exception {
        return signer.sign(new RolloutTicket(rolloutId, sequence.next(), artifact, leaderId, rollback));
    }

    /**
     * Signs a set: one sequence for every member, each ticket saying how many members the set has,
     * so that no node applies a member without all the others. Blocks for a few ZooKeeper round trips.
     *
     * @param artifacts the members, of distinct symbolic names
     * @param rollback  per member, whether it goes back to an older version
     * @return the signed tickets, in the members' order
     * @throws Exception if ZooKeeper cannot issue a sequence number
     */
    public List<SignedRolloutTicket> issueSet(String rolloutId, List<ArtifactDescriptor> artifacts, List<Boolean> rollback)
            throws Exception {
        long seq = sequence.next();
        List<SignedRolloutTicket> tickets = new java.util.ArrayList<>();
        for (int i = 0; i < artifacts.size(); i++) {
            tickets.add(signer.sign(new RolloutTicket(rolloutId, seq, artifacts.get(i), leaderId, rollback.get(i),
                    RolloutTicket.Action.RUN, artifacts.size())));
        }
        return tickets;
    }

    /**
     * Signs the removal of a bundle from every node ({@link RolloutTicket.Action#REMOVE}). Blocks for
     * a few ZooKeeper round trips.
     *
     * @param rolloutId the rollout
     * @param artifact  what the cluster ran until now, the bundle to remove
     * @return the signed ticket
     * @throws Exception if ZooKeeper cannot issue a sequence number
     */
    public SignedRolloutTicket issueRemoval(String rolloutId, ArtifactDescriptor artifact) throws Exception {
        return signer.sign(new RolloutTicket(rolloutId, sequence.next(), artifact, leaderId, false,
                RolloutTicket.Action.REMOVE));
    }
}
