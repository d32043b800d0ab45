package io.hotpot.runtime.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * The security log of one node: every refusal of remote or untrusted input goes here, as one line
 * naming what was refused, where it came from and why, on the slf4j logger {@code io.hotpot.security}
 * (so an operator can route it to its own appender in {@code etc/org.ops4j.pax.logging.cfg}).
 * Thread-safe.
 */
public final class SecurityLog {

    /** The logger name, for log configuration. */
    public static final String LOGGER = "io.hotpot.security";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private final String nodeId;

    /** @param nodeId the node whose log this is, named on every line */
    public SecurityLog(String nodeId) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    /**
     * Logs a refusal at WARN.
     *
     * @param what what was refused, e.g. {@code rollout ticket r-1 for org.example/1.0.0}
     * @param from where it came from, e.g. {@code fastbin request}, {@code leader node1}
     * @param why  the reason, e.g. {@code signature does not verify with any trusted key}
     */
    public void refused(String what, String from, String why) {
        LOG.warn("SECURITY {}: refused {} from {}: {}", nodeId, what, from, why);
    }

    /**
     * Logs a security-relevant event that is not a refusal (a key generated, a filter installed), at INFO.
     *
     * @param message what happened
     */
    public void notice(String message) {
        LOG.info("SECURITY {}: {}", nodeId, message);
    }

    /**
     * Logs a security weakness of the node's setup that the operator should fix, at WARN.
     *
     * @param message what is weak and how to fix it
     */
    public void weakness(String message) {
        LOG.warn("SECURITY {}: {}", nodeId, message);
    }
}
