package io.hotpot.api.health;

/**
 * A managed bundle's own verdict on whether it works, asked by Hotpot after each swap, before
 * calls held at the bundle's gate are let through. A bundle registers it as an OSGi service from
 * its own bundle context; Hotpot asks only the services registered by the revision it just
 * started, and never proxies this interface.
 *
 * <p>If any of the bundle's checks answers unhealthy, throws, or does not answer within the
 * node's {@code health.timeout.ms}, the node treats the swap as failed: the old bytes and the old
 * state come back, and a cluster rollout halts (see the rollout policies).
 *
 * <p>Implementations must be thread-safe and should answer within milliseconds: the bundle's
 * callers wait while it runs.
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * @return the bundle's verdict; never null
     * @throws Exception counts as unhealthy, with the exception as the reason
     */
    Health check() throws Exception;
}
