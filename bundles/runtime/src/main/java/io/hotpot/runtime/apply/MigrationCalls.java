package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;
import io.hotpot.api.migration.StateMigration;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.io.Closeable;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds a bundle's {@link StateMigration} service and calls it, or another service of the bundle
 * (its health checks), under a time bound. Calls run on a dedicated thread, so bundle code that
 * hangs costs that thread, not the apply pipeline: a call that times out is interrupted, and its
 * thread is abandoned to it and replaced, so bundle code that ignores the interrupt delays no later
 * call (a rollback's {@code importState} above all).
 *
 * <p>Thread-safe. {@link #close()} interrupts a call in progress.
 */
final class MigrationCalls implements Closeable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MigrationCalls.class);

    /** One call to a service of the bundle. */
    interface Call<S, T> {
        T call(S service) throws Exception;
    }

    private final BundleContext context;
    private final long timeoutMs;
    private final java.util.concurrent.atomic.AtomicReference<ExecutorService> thread =
            new java.util.concurrent.atomic.AtomicReference<>(newThread());
    private final java.util.concurrent.atomic.AtomicInteger abandoned = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    MigrationCalls(BundleContext context, long timeoutMs) {
        this.context = context;
        this.timeoutMs = timeoutMs;
    }

    /** @return the migration service the bundle registered, if it registered one now */
    Optional<ServiceReference<StateMigration>> find(Bundle bundle) {
        try {
            Collection<ServiceReference<StateMigration>> refs = context.getServiceReferences(StateMigration.class, null);
            return refs.stream().filter(r -> r.getBundle() != null && r.getBundle().getBundleId() == bundle.getBundleId())
                    .findFirst();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for the bundle to register its migration service; a service listener wakes the wait,
     * so it returns within microseconds of the registration.
     *
     * @throws ApplyFailure in phase IMPORT if none appears within the timeout
     */
    ServiceReference<StateMigration> await(Bundle bundle) throws ApplyFailure, InterruptedException {
        java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
        org.osgi.framework.ServiceListener listener = event -> {
            if (event.getType() == org.osgi.framework.ServiceEvent.REGISTERED
                    && event.getServiceReference().getBundle() != null
                    && event.getServiceReference().getBundle().getBundleId() == bundle.getBundleId()) {
                registered.countDown();
            }
        };
        try {
            context.addServiceListener(listener, "(objectClass=" + StateMigration.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                Optional<ServiceReference<StateMigration>> ref = find(bundle);
                if (ref.isPresent()) {
                    return ref.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ApplyFailure(ApplyPhase.IMPORT, bundle.getSymbolicName() + " " + bundle.getVersion()
                            + " registered no StateMigration service within migration.timeout.ms=" + timeoutMs, null);
                }
                registered.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            }
        } finally {
            context.removeServiceListener(listener);
        }
    }

    /**
     * Calls the service on the migration thread.
     *
     * @throws ApplyFailure in the given phase if the call throws, times out, or the service is gone
     */
    <T> T call(ServiceReference<StateMigration> ref, ApplyPhase phase, String what, Call<StateMigration, T> call)
            throws ApplyFailure, InterruptedException {
        return call(ref, phase, what, timeoutMs, "migration.timeout.ms=" + timeoutMs, call);
    }

    /**
     * Calls any service of the bundle on the same thread, under its own bound.
     *
     * @param timeoutMs how long the call may take, in milliseconds
     * @param bound     the bound as the error names it, e.g. {@code health.timeout.ms=5000}
     * @throws ApplyFailure in the given phase if the call throws, times out, or the service is gone
     */
    <S, T> T call(ServiceReference<S> ref, ApplyPhase phase, String what, long timeoutMs, String bound,
                  Call<S, T> call) throws ApplyFailure, InterruptedException {
        S service = context.getService(ref);
        if (service == null) {
            throw new ApplyFailure(phase, what + ": the service of bundle " + ref.getBundle() + " went away", null);
        }
        try {
            ExecutorService executor = thread.get();
            Future<T> result = executor.submit((Callable<T>) () -> call.call(service));
            try {
                return result.get(Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                result.cancel(true);
                replace(executor);
                throw new ApplyFailure(phase, what + " did not return within " + bound, e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                throw new ApplyFailure(phase, what + " threw " + cause, cause);
            }
        } finally {
            context.ungetService(ref);
        }
    }

    /** @return how many threads were left to calls that did not return in time */
    /**
     * Calls {@code resume()} of the bundle's migration service, if it has one, after a failed
     * export: the old revision serves again. Logs a failure; never throws.
     */
    void resumeQuietly(Bundle bundle) {
        find(bundle).ifPresent(ref -> {
            try {
                call(ref, ApplyPhase.EXPORT, "resume()", m -> {
                    m.resume();
                    return null;
                });
            } catch (ApplyFailure e) {
                LOG.warn("Hotpot: resume() of {} {} after a failed export threw", bundle.getSymbolicName(),
                        bundle.getVersion(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    int abandonedThreads() {
        return abandoned.get();
    }

    /** The thread may still run the late call: it is left to finish it alone, and the next call gets a new one. */
    private void replace(ExecutorService late) {
        if (thread.compareAndSet(late, newThread())) {
            abandoned.incrementAndGet();
            late.shutdownNow();
            if (closed) {
                thread.get().shutdownNow();
            }
        }
    }

    private static ExecutorService newThread() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hotpot-migration");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        closed = true;
        thread.get().shutdownNow();
    }
}
