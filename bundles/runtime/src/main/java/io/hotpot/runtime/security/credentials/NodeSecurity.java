package io.hotpot.runtime.security.credentials;

import java.util.Objects;

/**
 * The node's {@link SecuritySettings} as a service, which {@code HotpotNode} cannot start without.
 * Registered by {@link NodeSecurityProvider} while the credentials file holds usable credentials,
 * and registered anew when they change, so that the node restarts on the new values. Immutable and
 * thread-safe.
 */
public final class NodeSecurity {

    private final SecuritySettings settings;

    /** @param settings the validated settings */
    public NodeSecurity(SecuritySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** @return the validated settings */
    public SecuritySettings settings() {
        return settings;
    }
}
