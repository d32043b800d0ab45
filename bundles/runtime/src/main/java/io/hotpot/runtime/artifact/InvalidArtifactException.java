package io.hotpot.runtime.artifact;

/** The bytes are not a usable OSGi bundle jar; the message names the file and the defect. */
public class InvalidArtifactException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message the file and what is wrong with it */
    public InvalidArtifactException(String message) {
        super(message);
    }

    /**
     * @param message the file and what is wrong with it
     * @param cause   the check that refused it, e.g. a {@code SecurityRefusal} whose reason callers report
     */
    public InvalidArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
