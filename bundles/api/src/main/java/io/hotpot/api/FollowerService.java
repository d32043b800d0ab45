package io.hotpot.api;

/**
 * The remote service every Hotpot node exports through Aries Remote Service Admin, and the leader
 * calls on each follower to push and apply a bundle.
 *
 * <p>A push is four steps: {@link #beginTransfer}, zero or more {@link #writeChunk} calls in
 * offset order, {@link #stage}, and later {@link #applyStored}. The leader chooses the chunk size; the follower enforces its
 * own maximum artifact size. Nothing in the OSGi framework is touched before {@link #apply}
 * has verified the size, the SHA-256 digest and the manifest of the received bytes.
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
     * @return the node's managed bundles and its role, as of now
     */
    NodeStatus status();

    /**
     * Opens (or resumes) a staging area for an artifact.
     *
     * @param rolloutId  the id of the distribution this transfer belongs to, for logs and reports
     * @param descriptor what the leader claims the bytes are
     * @return the transfer id and the offset from which the follower wants bytes
     * @throws TransferException if the artifact exceeds the node's {@code artifact.max.bytes}
     */
    TransferTicket beginTransfer(String rolloutId, ArtifactDescriptor descriptor) throws TransferException;

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
     * @throws TransferException if the id is unknown, bytes are missing or the digest differs
     */
    void stage(String transferId) throws TransferException;

    /**
     * Applies an artifact this node already stores (staged, or applied before): install, or export
     * state, {@code Bundle.update}, {@code FrameworkWiring.refreshBundles} of the bundle's
     * dependency closure when needed, start, import state. On failure after the bundle was
     * touched, the node restores the old bytes and the old state. Blocks until the bundle is
     * ACTIVE again or the rollback has finished.
     *
     * @param rolloutId the rollout this belongs to
     * @param artifact  what to apply; the stored bytes are checked against it again
     * @return the node's acknowledgement; failures are reported, not thrown
     * @throws TransferException if this node does not hold the artifact
     */
    ApplyReport applyStored(String rolloutId, ArtifactDescriptor artifact) throws TransferException;

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
