package io.hotpot.runtime.security.ticket;

import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Issues the sequence numbers of rollout tickets: strictly increasing across the whole cluster,
 * whichever node leads, so that a follower can tell a new decision from a replayed old one.
 *
 * <p>Why a ZooKeeper counter and wall-clock time together: a counter alone
 * ({@code <root>/sequence}, a Curator {@link DistributedAtomicLong} updated by compare-and-set)
 * is increasing across leader failovers, which a leader's own clock is not (two machines' clocks
 * differ); but it starts again at 0 if ZooKeeper's data is wiped, while followers still remember
 * the old numbers and would refuse every new rollout. Each number is therefore
 * {@code max(counter + 1, now in ms)}, set by compare-and-set: after a wipe the sequence resumes at
 * the current time, above everything issued before unless a clock went back.
 *
 * <p>Thread-safe; each call is a few ZooKeeper round trips.
 */
public final class RolloutSequence {

    private final DistributedAtomicLong counter;
    private final LongSupplier clock;
    private final String path;

    /**
     * @param client a started Curator client (its ACL provider protects the counter's znode)
     * @param root   Hotpot's root znode
     * @param retry  how often to retry a contended or failed update
     * @param clock  milliseconds since the epoch, e.g. {@code System::currentTimeMillis}
     */
    public RolloutSequence(CuratorFramework client, String root, RetryPolicy retry, LongSupplier clock) {
        this.path = root + "/sequence";
        this.counter = new DistributedAtomicLong(Objects.requireNonNull(client, "client"), path, retry);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return a number greater than every number this method returned before, on any node
     * @throws Exception if ZooKeeper cannot be reached or the update lost every retry
     */
    public long next() throws Exception {
        // compareAndSet never creates the znode; initialize does, and leaves an existing one alone.
        counter.initialize(0L);
        for (int attempt = 0; attempt < 100; attempt++) {
            AtomicValue<Long> current = counter.get();
            if (!current.succeeded()) {
                continue;
            }
            long next = Math.max(current.postValue() + 1, clock.getAsLong());
            if (counter.compareAndSet(current.postValue(), next).succeeded()) {
                return next;
            }
        }
        throw new IllegalStateException("could not advance the rollout sequence " + path + " in 100 attempts");
    }
}
