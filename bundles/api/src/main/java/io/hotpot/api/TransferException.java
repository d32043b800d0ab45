package io.hotpot.api;

/**
 * A follower refused a transfer call: unknown transfer id, a chunk at the wrong offset, more bytes
 * than announced, or an artifact above the node's size limit. The message names the node, the
 * artifact and the cause. Crosses the wire by Java serialization.
 */
public class TransferException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The phase the refusal belongs to, when the refusing node knows better than the caller; may be null. */
    private final ApplyPhase phase;

    /** @param message what was refused, naming the node and the artifact */
    public TransferException(String message) {
        this(message, null);
    }

    /**
     * @param message what was refused, naming the node and the artifact
     * @param phase   the phase of the refusal, e.g. {@link ApplyPhase#RESOLVE} for bytes that would
     *                not resolve on the node; null to leave it to the caller
     */
    public TransferException(String message, ApplyPhase phase) {
        super(message);
        this.phase = phase;
    }

    /** @return the phase of the refusal, or null if the refusing node did not say */
    public ApplyPhase phase() {
        return phase;
    }
}
