package io.hotpot.runtime.security.rsa;

import java.io.Closeable;
import java.io.ObjectInputFilter;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Applies a {@link RemoteCallPolicy} to what Aries RSA fastbin deserializes, and to nothing else.
 *
 * <p>Where the hook is, and why. Fastbin 1.16.1 reads every request's arguments (and every answer)
 * with {@code ObjectSerializationStrategy.decodeRequest}/{@code decodeResponse}, through a
 * {@code ClassLoaderObjectInputStream} it creates itself and never gives a filter: the only hooks
 * left are the JVM-wide ones. {@code ObjectInputFilter.Config.setSerialFilterFactory} (the narrow
 * one, per stream) is refused once any {@code ObjectInputStream} exists, which in Karaf is long
 * before Hotpot starts; {@code setSerialFilter} can still be set once per JVM. So this class sets
 * the JVM-wide filter once, and that filter looks at the stack of each check: if fastbin's
 * {@code ObjectSerializationStrategy} is reading, the policy decides; otherwise it answers
 * UNDECIDED, which leaves every other stream of the JVM (JMX's RMI, Pax Exam, ...) as it was. The
 * whole stack counts, not the nearest caller: an allowed class's own {@code readObject} reading a
 * nested object is still on fastbin's path.
 *
 * <p>Because the JVM-wide filter can be set only once, while this bundle may be restarted or
 * updated, the filter installed is a switch: a later instance (of this class loader or of a newer
 * revision of the bundle) finds it with {@code getSerialFilter()} and hands it its policy through
 * the JDK interface {@code Consumer<ObjectInputFilter>}. {@link #close()} switches to a policy that
 * rejects every fastbin stream: a node without Hotpot's runtime must not deserialize unchecked.
 * If another party set a JVM-wide filter first (e.g. {@code -Djdk.serialFilter}), {@link #install}
 * fails, naming it.
 *
 * <p>Thread-safe.
 */
public final class FastbinCallFilter implements Closeable {

    /** The class whose frames mark fastbin's deserialization of calls and answers. */
    static final String FASTBIN_STRATEGY = "org.apache.aries.rsa.provider.fastbin.api.ObjectSerializationStrategy";

    private final Consumer<ObjectInputFilter> jvmSwitch;

    private FastbinCallFilter(Consumer<ObjectInputFilter> jvmSwitch) {
        this.jvmSwitch = jvmSwitch;
    }

    /**
     * Installs the JVM-wide switch if it is not there yet, and points it at the policy.
     *
     * @param policy what decides fastbin's streams from now on
     * @return a handle whose {@link #close()} makes fastbin's streams rejected again
     * @throws IllegalStateException if a JVM-wide filter that is not Hotpot's is set
     */
    public static FastbinCallFilter install(ObjectInputFilter policy) {
        Objects.requireNonNull(policy, "policy");
        Consumer<ObjectInputFilter> jvmSwitch;
        synchronized (ObjectInputFilter.Config.class) {
            jvmSwitch = existingSwitch().orElseGet(() -> {
                Switch created = new Switch();
                ObjectInputFilter.Config.setSerialFilter(created);
                return created;
            });
        }
        jvmSwitch.accept(policy);
        return new FastbinCallFilter(jvmSwitch);
    }

    @SuppressWarnings("unchecked")
    private static Optional<Consumer<ObjectInputFilter>> existingSwitch() {
        ObjectInputFilter current = ObjectInputFilter.Config.getSerialFilter();
        if (current == null) {
            return Optional.empty();
        }
        if (current instanceof Consumer<?> c && current.toString().startsWith(Switch.NAME)) {
            return Optional.of((Consumer<ObjectInputFilter>) c);
        }
        throw new IllegalStateException("a JVM-wide serialization filter is already set (" + current
                + ", e.g. by -Djdk.serialFilter); Hotpot cannot filter fastbin's remote calls. Remove it, or add its"
                + " rules to io.hotpot.security rsa.allowed.classes");
    }

    /** Rejects every fastbin stream from now on. */
    @Override
    public void close() {
        jvmSwitch.accept(info -> ObjectInputFilter.Status.REJECTED);
    }

    /** The JVM-wide filter: the current policy for fastbin's streams, UNDECIDED for all others. */
    private static final class Switch implements ObjectInputFilter, Consumer<ObjectInputFilter> {

        static final String NAME = "hotpot-fastbin-filter";

        private static final StackWalker WALKER = StackWalker.getInstance();

        // Rejecting until a policy is set: a window in which fastbin reads unchecked must not exist.
        private final AtomicReference<ObjectInputFilter> policy =
                new AtomicReference<>(info -> Status.REJECTED);

        @Override
        public Status checkInput(FilterInfo info) {
            return onFastbinPath() ? policy.get().checkInput(info) : Status.UNDECIDED;
        }

        @Override
        public void accept(ObjectInputFilter next) {
            policy.set(Objects.requireNonNull(next, "policy"));
        }

        private static boolean onFastbinPath() {
            return WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getClassName).anyMatch(FASTBIN_STRATEGY::equals));
        }

        @Override
        public String toString() {
            return NAME;
        }
    }
}
