package io.hotpot.api.cluster;

/** A cluster-wide request was refused before it changed anything; the message says why. */
public class ClusterException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message the reason, naming the node and the artifact */
    public ClusterException(String message) {
        super(message);
    }

    /**
     * @param message the reason, naming the node and the artifact
     * @param cause   the underlying failure
     */
    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
