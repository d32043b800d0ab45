package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;
import io.hotpot.api.health.Health;
import io.hotpot.api.health.HealthCheck;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The health gate a swapped bundle passes before its held calls are let through: the bundle is
 * ACTIVE, and every {@link HealthCheck} service its new revision registered answers healthy within
 * the timeout. (That its state was imported is checked by the pipeline before this gate.) A bundle
 * that registers no health check passes on being ACTIVE.
 *
 * <p>Checks run on a dedicated thread, so a check that hangs costs that thread, not the pipeline.
 * Thread-safe. {@link #close()} interrupts a check in progress.
 */
final class HealthGate implements Closeable {

    private final BundleContext context;
    private final long timeoutMs;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hotpot-health");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param context   the runtime bundle's context, which sees every bundle's services
     * @param timeoutMs how long all of a bundle's checks may take together, in milliseconds; {@code > 0}
     */
    HealthGate(BundleContext context, long timeoutMs) {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("health.timeout.ms must be > 0: " + timeoutMs);
        }
        this.context = context;
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
            HealthCheck check = context.getService(ref);
            if (check == null) {
                throw new ApplyFailure(ApplyPhase.HEALTH, "the HealthCheck of " + name + " went away", null);
            }
            try {
                Future<Health> answer = thread.submit(check::check);
                Health health;
                try {
                    health = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    answer.cancel(true);
                    throw new ApplyFailure(ApplyPhase.HEALTH, "the HealthCheck of " + name
                            + " did not answer within health.timeout.ms=" + timeoutMs, e);
                } catch (ExecutionException e) {
                    throw new ApplyFailure(ApplyPhase.HEALTH, "the HealthCheck of " + name + " threw "
                            + e.getCause(), e.getCause());
                }
                if (health == null || !health.healthy()) {
                    throw new ApplyFailure(ApplyPhase.HEALTH, name + " reported unhealthy: "
                            + (health == null ? "its HealthCheck returned null" : health.detail()), null);
                }
                details.add(health.detail());
            } finally {
                context.ungetService(ref);
            }
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

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
