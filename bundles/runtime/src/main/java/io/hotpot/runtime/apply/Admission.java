package io.hotpot.runtime.apply;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What an apply checks again once it holds the {@link BundleApplier}'s lock, before it touches any
 * bundle, and what it records once the new revision runs, still under that lock. A check made before
 * the lock can be passed by two applies of which only one may go ahead: two tickets of sequences 6
 * (version 2) and 7 (version 3), both newer than the recorded 5, would both pass a replay check,
 * and if 7 ran first, 6 would then downgrade the bundle without the rollback flag.
 *
 * <p>Immutable; its two functions run on the thread that applies, one apply at a time.
 *
 * @param refusal  why the apply must not go ahead (naming what and why), or empty to go ahead;
 *                 must not throw
 * @param admitted records that the bytes run now; must not throw
 */
public record Admission(Supplier<Optional<String>> refusal, Runnable admitted) {

    /** No condition and nothing to record: for bytes that come with no ticket (tests, a local recovery). */
    public static final Admission NONE = new Admission(Optional::empty, () -> { });

    /**
     * @throws NullPointerException if either is null
     */
    public Admission {
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(admitted, "admitted");
    }
}
