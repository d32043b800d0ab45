package io.hotpot.api;

/**
 * The remote service every Hotpot node exports through Aries Remote Service Admin, and the leader
 * calls on each follower to push and apply a bundle.
 *
 * <p>A push is four steps: {@link #beginTransfer}, zero or more {@link #writeChunk} calls in
 * offset order, {@link #stage}, and later {@link #applyStored}. Each names the rollout through a
 * {@link SignedRolloutTicket}: the leader's Ed25519 signature over the rollout id, sequence,
 * symbolic name, version, SHA-256, size and rollback flag. A follower checks the signature against
 * the cluster's trusted keys and refuses replays before it opens a staging file, checks the bytes
 * against the ticket before they count as staged, and checks both again before it touches a
 * bundle. The leader chooses the chunk size; the follower enforces its own maximum artifact size.
 *
 * <p>Before a caller sends a node anything, it asks the endpoint to {@link #prove} that it belongs
 * to the cluster: Aries RSA's discovery znodes can be written by any ZooKeeper client, so the
 * {@value #NODE_ID_PROPERTY} of an imported endpoint is only a claim.
 *
 * <p>Implementations are thread-safe. Transfers to one node may run concurrently; applies on one
 * node are serialized.
 */
public interface FollowerService {

    /** Service property carrying the exporting node's id; survives the RSA export. */
    String NODE_ID_PROPERTY = "hotpot.node.id";

    /** @return this node's id; never null */
    String nodeId();

    /**
     * Proves that this endpoint is served by a node that holds the cluster's signing key, at the
     * address it is imported from: signs the challenge together with this node's id, the
     * {@code endpoint.id} and the address under which Remote Service Admin exported this service
     * here. Reads only local state; returns within milliseconds.
     *
     * @param challenge {@value MembershipProof#CHALLENGE_BYTES} random bytes, fresh for each call
     * @return the proof; the caller checks it (see {@link MembershipProof})
     * @throws TransferException if the challenge is not {@value MembershipProof#CHALLENGE_BYTES}
     *                           bytes (the refusal is logged on the {@code io.hotpot.security}
     *                           logger), or this service is not exported (yet) here
     * @since 0.2
     */
    MembershipProof prove(byte[] challenge) throws TransferException;

    /**
     * @return the node's managed bundles and its role, as of now
     */
    NodeStatus status();

    /**
     * Opens (or resumes) a staging area for an artifact.
     *
     * @param ticket the leader's signed authorization of the rollout and its bytes
     * @return the transfer id and the offset from which the follower wants bytes
     * @throws TransferException if the ticket's signature does not verify with a trusted key, it is a
     *                           replay or an unflagged downgrade, a name is malformed, or the artifact
     *                           exceeds the node's {@code artifact.max.bytes}; the refusal is logged
     *                           on the {@code io.hotpot.security} logger
     */
    TransferTicket beginTransfer(SignedRolloutTicket ticket) throws TransferException;

    /**
     * Appends bytes to a staged artifact. Returns once the bytes are written to the node's data
     * folder (not necessarily synced to disk).
     *
     * @param transferId from {@link #beginTransfer}
     * @param offset     where {@code data} starts; must equal the number of bytes already received
     * @param data       the chunk, non-empty
     * @throws TransferException if the transfer is unknown, the offset is not the expected one, or
     *                           the bytes would exceed the announced size
     */
    void writeChunk(String transferId, long offset, byte[] data) throws TransferException;

    /**
     * Verifies a finished transfer (size and SHA-256) and keeps the bytes in this node's store,
     * without applying them: the leader stages an artifact on every node before it applies it
     * anywhere, so that the rollout can finish from any node's copy if the leader dies.
     *
     * @param transferId from {@link #beginTransfer}; released in all cases
     * @throws TransferException if the id is unknown, bytes are missing, the digest differs, or the
     *                           bytes are not the bundle the ticket names; nothing is kept then
     */
    void stage(String transferId) throws TransferException;

    /**
     * Applies an artifact this node already stores (staged, or applied before): install, or export
     * state, {@code Bundle.update}, {@code FrameworkWiring.refreshBundles} of the bundle's
     * dependency closure when needed, start, import state. On failure after the bundle was
     * touched, the node restores the old bytes and the old state. Blocks until the bundle is
     * ACTIVE again or the rollback has finished.
     *
     * @param ticket the leader's signed authorization; the stored bytes are checked against it again
     * @return the node's acknowledgement, signed by the node with the cluster key over the report and
     *         this ticket (the caller verifies it before it counts); failures are reported, not thrown
     * @throws TransferException if this node does not hold the artifact, or the ticket or bytes are
     *                           refused as by {@link #beginTransfer} and {@link #stage}
     */
    SignedApplyReport applyStored(SignedRolloutTicket ticket) throws TransferException;

    /**
     * A set's say at staging, once every member was staged ({@link #stage}, which skips the resolver
     * dry run of a member, since the other members may provide what it imports): checks the tickets
     * and stored bytes as {@link #applyStored} does, and whether this node could apply the set as one
     * unit (a fragment, or a member whose imports neither the node nor the other members provide).
     * Keeps nothing and touches no bundle.
     *
     * @param tickets every member's ticket: the same rollout and sequence, {@code setSize} of them
     * @throws TransferException if a ticket or its bytes are refused, the tickets are not one whole
     *                           set, or the set would not resolve here (phase {@code RESOLVE})
     * @since 0.3
     */
    void stageSet(java.util.List<SignedRolloutTicket> tickets) throws TransferException;

    /**
     * Applies a staged set as one unit: one gate closure over every member and the bundles wired to
     * them, every member updated or installed, one {@code FrameworkWiring.refreshBundles}, members
     * started in dependency order, every state carried, the health gate over all; if anything fails,
     * every member goes back with its state. Blocks until the set runs, or the old set again.
     *
     * @param tickets every member's ticket, as for {@link #stageSet}
     * @return one signed report per member, in the order of the tickets; all succeed or none does
     * @throws TransferException as {@link #stageSet}, and if the cluster does not run this rollout now
     * @since 0.3
     */
    java.util.List<SignedApplyReport> applyStoredSet(java.util.List<SignedRolloutTicket> tickets) throws TransferException;

    /**
     * Says what {@link #applyStored} of this ticket would do on this node, and changes nothing: no
     * byte is kept, no bundle touched, and the ticket is not recorded (a dry-run ticket is never
     * recorded as a running rollout in ZooKeeper, so no node would apply it either). Reads only local
     * state; returns within milliseconds.
     *
     * @param ticket   the leader's signed ticket, checked as by {@link #beginTransfer}
     * @param manifest the artifact's {@code META-INF/MANIFEST.MF}, at most {@value #PREVIEW_MANIFEST_MAX_BYTES}
     *                 bytes, for the resolver dry run when this node does not hold the bytes (ignored for
     *                 a removal, and when it holds them: then its own copy is read)
     * @return the preview
     * @throws TransferException if the ticket is refused as by {@link #beginTransfer}, or the manifest
     *                           is missing or too large
     * @since 0.3
     */
    ApplyPreview preview(SignedRolloutTicket ticket, byte[] manifest) throws TransferException;

    /** The largest manifest {@link #preview} reads, in bytes. */
    int PREVIEW_MANIFEST_MAX_BYTES = 256 * 1024;

    /**
     * Reads part of an artifact this node keeps in its store, so that a node that missed a rollout
     * can fetch the bytes from any node that has them (and verify them by digest).
     *
     * @param sha256 the artifact's digest
     * @param offset the first byte to read, {@code >= 0}
     * @param length how many bytes at most, {@code > 0}; the node may return fewer
     * @return the bytes, empty at or past the end of the artifact
     * @throws TransferException if this node does not hold that artifact, or the arguments are invalid
     */
    byte[] readChunk(String sha256, long offset, int length) throws TransferException;

    /**
     * Discards a staged transfer. Unknown ids are ignored.
     *
     * @param transferId from {@link #beginTransfer}
     */
    void abortTransfer(String transferId);
}
