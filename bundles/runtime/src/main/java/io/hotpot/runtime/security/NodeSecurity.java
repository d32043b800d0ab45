package io.hotpot.runtime.security;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The node's {@link SecuritySettings}, read from PID {@code io.hotpot.security} and offered as a
 * service to {@code HotpotNode}, which cannot start without it. It exists only while the PID holds
 * usable credentials; a change of the PID makes the node restart with the new values.
 * Immutable and thread-safe.
 */
@Component(configurationPid = "io.hotpot.security", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = NodeSecurity.class)
@Designate(ocd = SecurityConfiguration.class)
public final class NodeSecurity {

    private final SecuritySettings settings;

    /** @throws IllegalArgumentException naming the key whose value is unusable (never a secret) */
    @Activate
    public NodeSecurity(SecurityConfiguration config) {
        this.settings = SecuritySettings.from(config);
    }

    /** @return the validated settings */
    public SecuritySettings settings() {
        return settings;
    }
}
