package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;
import io.hotpot.api.health.Health;
import io.hotpot.api.health.HealthCheck;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The health gate a swapped bundle passes before its held calls are let through: the bundle is
 * ACTIVE, and every {@link HealthCheck} service its new revision registered answers healthy within
 * the timeout. (That its state was imported is checked by the pipeline before this gate.) A bundle
 * that registers no health check passes on being ACTIVE.
 *
 * <p>Checks run on the thread of the bundle's migration calls, under one time bound for all of
 * them. Thread-safe.
 */
final class HealthGate {

    private final BundleContext context;
    private final MigrationCalls calls;
    private final long timeoutMs;

    /**
     * @param context   the runtime bundle's context, which sees every bundle's services
     * @param calls     the bounded calls into the bundle's code
     * @param timeoutMs how long all of a bundle's checks may take together, in milliseconds; {@code > 0}
     * @throws IllegalArgumentException if the timeout is not positive
     */
    HealthGate(BundleContext context, MigrationCalls calls, long timeoutMs) {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("health.timeout.ms must be > 0: " + timeoutMs);
        }
        this.context = context;
        this.calls = calls;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Blocks until every check answered, or the timeout passed.
     *
     * @return what the checks reported, for the apply report; empty when the bundle registers none
     * @throws ApplyFailure in phase {@link ApplyPhase#HEALTH} naming the bundle and the failing
     *                      check, if the bundle is not ACTIVE or a check is unhealthy, throws or is late
     * @throws InterruptedException if interrupted while waiting
     */
    String verify(Bundle bundle) throws ApplyFailure, InterruptedException {
        String name = bundle.getSymbolicName() + " " + bundle.getVersion();
        if (bundle.getState() != Bundle.ACTIVE) {
            throw new ApplyFailure(ApplyPhase.HEALTH, name + " is not ACTIVE after its start", null);
        }
        List<String> details = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (ServiceReference<HealthCheck> ref : checksOf(bundle)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Health health = calls.call(ref, ApplyPhase.HEALTH, "the HealthCheck of " + name, left,
                    "health.timeout.ms=" + timeoutMs, HealthCheck::check);
            if (health == null || !health.healthy()) {
                throw new ApplyFailure(ApplyPhase.HEALTH, name + " reported unhealthy: "
                        + (health == null ? "its HealthCheck returned null" : health.detail()), null);
            }
            details.add(health.detail());
        }
        return String.join("; ", details);
    }

    private List<ServiceReference<HealthCheck>> checksOf(Bundle bundle) {
        try {
            return context.getServiceReferences(HealthCheck.class, null).stream()
                    .filter(r -> r.getBundle() != null && r.getBundle().getBundleId() == bundle.getBundleId())
                    .toList();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
