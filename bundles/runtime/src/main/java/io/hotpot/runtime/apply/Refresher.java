package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Refreshes a bundle's dependency closure and waits for the framework to finish
 * ({@code FrameworkWiring.refreshBundles}, OSGi Core R8 Bundle Wiring API, section 7.7: the
 * listener receives {@code PACKAGES_REFRESHED} once the refresh completed).
 *
 * <p>Only bundles whose old revision is still wired ("removal pending") need a refresh: a bundle
 * that exports nothing in use is fully switched by {@code Bundle.update} alone, and refreshing it
 * would restart it, and every dependent, a second time. Thread-safe.
 */
final class Refresher {

    private final FrameworkWiring wiring;
    private final long timeoutMs;

    Refresher(FrameworkWiring wiring, long timeoutMs) {
        this.wiring = wiring;
        this.timeoutMs = timeoutMs;
    }

    /**
     * @return the number of bundles in the refreshed closure, 0 when no refresh was needed
     * @throws ApplyFailure in phase RESOLVE if the refresh does not finish in time
     */
    int refreshIfPending(Bundle bundle) throws ApplyFailure, InterruptedException {
        if (!wiring.getRemovalPendingBundles().contains(bundle)) {
            return 0;
        }
        int closure = wiring.getDependencyClosure(List.of(bundle)).size();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                error.compareAndSet(null, event.getThrowable());
            }
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        if (!done.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new ApplyFailure(ApplyPhase.RESOLVE, "refresh of " + bundle.getSymbolicName()
                    + " and its dependents did not finish within " + timeoutMs + " ms", null);
        }
        return closure;
    }
}
