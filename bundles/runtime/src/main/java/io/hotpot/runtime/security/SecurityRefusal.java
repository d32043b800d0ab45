package io.hotpot.runtime.security;

import java.util.Objects;

/**
 * A check refused remote input: a rollout ticket, an artifact, a name. The message says what was
 * refused and why; {@link #reason()} says which check failed, for callers and tests.
 */
public class SecurityRefusal extends Exception {

    private static final long serialVersionUID = 1L;

    /** Which check refused the input. */
    public enum Reason {
        /** The signature does not verify with any trusted key, or is malformed. */
        SIGNATURE,
        /** The bytes' digest or size differs from what the ticket covers. */
        DIGEST,
        /** The bytes are not the bundle the ticket names, or the ticket's fields are invalid. */
        DESCRIPTOR,
        /** The bytes are not a usable bundle jar (not a zip, corrupt, no manifest, too large). */
        ARTIFACT,
        /** A ticket not newer than the last one accepted, or a downgrade not flagged as a rollback. */
        REPLAY,
        /** The bundle would replace one that Hotpot must not touch. */
        CLAIM,
        /** A name or id from the network does not have the required form. */
        NAME,
        /** A request beyond the node's bounds, such as more transfers in progress than it allows. */
        LIMIT,
        /**
         * A validly signed ticket that the cluster does not stand behind now: its rollout halted,
         * ended or is unknown to ZooKeeper.
         */
        UNDECIDED,
        /**
         * An endpoint that does not prove it belongs to the cluster: its membership proof does not
         * verify, or is for another node, endpoint or challenge.
         */
        MEMBERSHIP
    }

    private final Reason reason;

    /**
     * @param reason  which check failed
     * @param message what was refused and why
     */
    public SecurityRefusal(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return which check failed */
    public Reason reason() {
        return reason;
    }
}
