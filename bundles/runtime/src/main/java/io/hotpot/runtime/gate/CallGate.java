package io.hotpot.runtime.gate;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The gate in front of one bundle's services: Erlang's {@code sys:suspend} for an OSGi bundle.
 * Calls pass while it is open. {@link #close} waits for the calls in flight to return, then holds
 * every new call until {@link #open}; held calls then proceed in arrival order, on whatever
 * service revision is current by then.
 *
 * <p>Built on a fair {@link ReentrantReadWriteLock}: a call holds the read lock, the swap holds the
 * write lock. Fairness is what makes calls that arrive while the swap waits queue behind it, in
 * arrival order, instead of starving it. Thread-safe.
 */
public final class CallGate {

    private final String name;
    private final LongSupplier waitMs;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong maxHeldNanos = new AtomicLong();
    private volatile boolean closed;
    private volatile long closedAt;

    /**
     * @param name   what the gate guards, for error messages (a bundle symbolic name)
     * @param waitMs how long a call may wait for the gate, in milliseconds ({@code gate.wait.ms})
     * @throws IllegalArgumentException if waitMs is not positive
     */
    public CallGate(String name, long waitMs) {
        this(name, positive(waitMs));
    }

    /**
     * @param name   what the gate guards, for error messages (a bundle symbolic name)
     * @param waitMs how long a call may wait for the gate, in milliseconds, read when the call
     *               arrives: a node reconfigured with another {@code gate.wait.ms} keeps its gates
     */
    public CallGate(String name, LongSupplier waitMs) {
        this.name = java.util.Objects.requireNonNull(name, "name");
        this.waitMs = java.util.Objects.requireNonNull(waitMs, "waitMs");
    }

    private static LongSupplier positive(long waitMs) {
        if (waitMs <= 0) {
            throw new IllegalArgumentException("waitMs must be > 0: " + waitMs);
        }
        return () -> waitMs;
    }

    /**
     * Lets a call in: returns at once while the gate is open, else when it opens.
     *
     * @throws IllegalStateException if the gate stayed closed for {@code waitMs}; the call was not made
     * @throws IllegalStateException if interrupted while waiting
     */
    public void enter() {
        boolean wasClosed = closed;
        long start = System.nanoTime();
        long wait = waitMs.getAsLong();
        try {
            // The timed tryLock honours fairness; the untimed one would barge past a waiting swap.
            if (!lock.readLock().tryLock(wait, TimeUnit.MILLISECONDS)) {
                timedOut.incrementAndGet();
                throw new IllegalStateException("Hotpot: " + name + " is being swapped and the call waited more than "
                        + "gate.wait.ms=" + wait + " ms; it was not executed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Hotpot: interrupted while waiting for " + name + " to be swapped", e);
        }
        if (wasClosed || closed) {
            held.incrementAndGet();
            maxHeldNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        }
    }

    /** Lets a call out; pairs with a successful {@link #enter()}. */
    public void exit() {
        lock.readLock().unlock();
    }

    /**
     * Closes the gate: returns once every call in flight has returned; new calls wait from now on.
     * Must be followed by {@link #open()} on the same thread.
     *
     * @param timeoutMs how long to wait for calls in flight, in milliseconds
     * @throws IllegalStateException if calls in flight did not return in time; the gate stays open
     * @throws InterruptedException  if interrupted while waiting
     */
    public void close(long timeoutMs) throws InterruptedException {
        closed = true;
        if (!lock.writeLock().tryLock(timeoutMs, TimeUnit.MILLISECONDS)) {
            closed = false;
            throw new IllegalStateException("calls to " + name + " in flight did not return within " + timeoutMs + " ms");
        }
        closedAt = System.nanoTime();
    }

    /**
     * What one closing of the gate cost its callers.
     *
     * @param closedNanos how long the gate was closed, in nanoseconds
     * @param heldCalls   how many calls were waiting when it opened
     */
    public record Pause(long closedNanos, int heldCalls) {
    }

    /**
     * Opens the gate; held calls proceed.
     *
     * @return how long it was closed and how many calls it held
     * @throws IllegalMonitorStateException if this thread did not close it
     */
    public Pause open() {
        Pause pause = new Pause(System.nanoTime() - closedAt, lock.getQueueLength());
        closed = false;
        lock.writeLock().unlock();
        return pause;
    }

    /** @return whether a swap holds the gate closed now */
    public boolean isClosed() {
        return closed;
    }

    /** @return whether the calling thread holds the gate closed */
    public boolean isClosedByCurrentThread() {
        return lock.isWriteLockedByCurrentThread();
    }

    /** @return calls that found the gate closed and waited, since the gate was created */
    public long heldCalls() {
        return held.get();
    }

    /** @return calls refused after waiting {@code waitMs}, since the gate was created */
    public long timedOutCalls() {
        return timedOut.get();
    }

    /** @return the longest wait of a held call, in nanoseconds */
    public long maxHeldNanos() {
        return maxHeldNanos.get();
    }
}
