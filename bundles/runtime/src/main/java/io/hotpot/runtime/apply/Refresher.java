package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.wiring.FrameworkWiring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Refreshes a bundle's dependency closure and waits for the framework to finish
 * ({@code FrameworkWiring.refreshBundles}, OSGi Core R8 Bundle Wiring API, section 7.7: the
 * listener receives {@code PACKAGES_REFRESHED} once the refresh completed).
 *
 * <p>Only bundles whose old revision is still wired ("removal pending") need a refresh: a bundle
 * that exports nothing in use is fully switched by {@code Bundle.update} alone, and refreshing it
 * would restart it, and every dependent, a second time.
 *
 * <p>A refresh that completes is not yet a refresh that worked: the framework restarts the
 * dependents that were active, and reports one that fails to resolve or start again only as a
 * {@code FrameworkEvent.ERROR} to the framework listeners (7.7: "the framework must fire a
 * framework event of type ERROR"), never to the refresh's own listener. Both are checked here: an
 * error event for a bundle of the closure, and a dependent that was active and is not any more.
 * Thread-safe.
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
     * @throws ApplyFailure in phase RESOLVE if the refresh does not finish in time, or if a bundle
     *                      of the closure other than {@code bundle} itself was active and did not
     *                      start again (naming it, with the framework's error if it reported one)
     */
    int refreshIfPending(Bundle bundle) throws ApplyFailure, InterruptedException {
        if (!wiring.getRemovalPendingBundles().contains(bundle)) {
            return 0;
        }
        return refresh(List.of(bundle));
    }

    /**
     * Refreshes the bundles and their dependency closure in one {@code refreshBundles} call, pending or
     * not: a set swap updates several bundles and resolves them together, once.
     *
     * @return the number of bundles in the refreshed closure
     * @throws ApplyFailure as {@link #refreshIfPending}, for a bundle of the closure other than those given
     */
    int refresh(Collection<Bundle> bundles) throws ApplyFailure, InterruptedException {
        Collection<Bundle> closure = wiring.getDependencyClosure(bundles);
        List<Bundle> active = closure.stream().filter(b -> !bundles.contains(b) && isActive(b)).toList();
        String named = bundles.stream().map(Bundle::getSymbolicName).collect(java.util.stream.Collectors.joining(", "));
        Map<Long, Throwable> errors = new ConcurrentHashMap<>();
        FrameworkListener errorListener = event -> {
            if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null && event.getThrowable() != null
                    && closure.contains(event.getBundle())) {
                errors.putIfAbsent(event.getBundle().getBundleId(), event.getThrowable());
            }
        };
        BundleContext system = wiring.getBundle().getBundleContext();
        system.addFrameworkListener(errorListener);
        try {
            CountDownLatch done = new CountDownLatch(1);
            wiring.refreshBundles(bundles, event -> {
                if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                    done.countDown();
                }
            });
            if (!done.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new ApplyFailure(ApplyPhase.RESOLVE, "refresh of " + named
                        + " and its dependents did not finish within " + timeoutMs + " ms", null);
            }
        } finally {
            system.removeFrameworkListener(errorListener);
        }
        List<String> failed = new ArrayList<>();
        Throwable first = null;
        for (Bundle b : active) {
            Throwable why = errors.get(b.getBundleId());
            if (!isActive(b) || why != null) {
                failed.add(b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId() + ", now "
                        + BundleStates.name(b.getState()) + (why == null ? "" : ": " + why) + ")");
                first = first == null ? why : first;
            }
        }
        if (!failed.isEmpty()) {
            throw new ApplyFailure(ApplyPhase.RESOLVE, "the refresh of " + named + " restarted "
                    + active.size() + " dependent bundle(s), and " + failed.size() + " did not start again: "
                    + String.join("; ", failed), first);
        }
        return closure.size();
    }

    private static boolean isActive(Bundle b) {
        return b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING;
    }
}
