package io.hotpot.api;

/**
 * A follower refused a transfer call: unknown transfer id, a chunk at the wrong offset, more bytes
 * than announced, or an artifact above the node's size limit. The message names the node, the
 * artifact and the cause. Crosses the wire by Java serialization.
 */
public class TransferException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what was refused, naming the node and the artifact */
    public TransferException(String message) {
        super(message);
    }
}
