package io.hotpot.runtime.security.rsa;

import io.hotpot.runtime.security.SecurityLog;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The JEP 290 allow-list and bounds for Java-serialized remote calls and answers: what may be
 * instantiated when a fastbin request or response is read. Allowed are Hotpot's API value types
 * ({@code io.hotpot.api.**}), the JDK value types they are made of (strings, boxed primitives,
 * {@code BigInteger}/{@code BigDecimal}, the {@code java.util} lists, sets and maps that
 * {@code List.copyOf} and friends produce, {@code Object[]} for the argument array, primitive
 * arrays), exceptions of {@code java.lang}, {@code java.io} and {@code java.util(.concurrent)} with
 * their stack traces (a call's failure travels back as one), fastbin's own {@code ServiceException},
 * and the extra patterns the operator configured. Everything else is rejected before an instance
 * is created, and so is a stream beyond the bounds.
 *
 * <p>Patterns: {@code a.b.C} one class (and its nested classes), {@code a.b.*} the classes of a
 * package, {@code a.b.**} a package and its subpackages. Immutable and thread-safe.
 */
public final class RemoteCallPolicy implements ObjectInputFilter {

    /** Hotpot's own value types. */
    public static final String HOTPOT_API = "io.hotpot.api.**";

    private static final Set<String> JDK_VALUES = Set.of(
            "java.lang.Object", "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Character",
            "java.lang.Number", "java.lang.Enum", "java.lang.StackTraceElement",
            "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
            "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            // HashMap.readObject asks the filter before it allocates its table of this interface type.
            "java.util.Map$Entry",
            // CollSer is what List.of/copyOf write; the filter sees the immutable class its readResolve returns too.
            "java.util.CollSer", "java.util.ImmutableCollections$List12", "java.util.ImmutableCollections$ListN",
            "java.util.ImmutableCollections$Set12", "java.util.ImmutableCollections$SetN",
            "java.util.ImmutableCollections$Map1", "java.util.ImmutableCollections$MapN", "java.util.Arrays$ArrayList",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptySet", "java.util.Collections$EmptyMap",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonSet",
            "java.util.Collections$SingletonMap", "java.util.Collections$UnmodifiableCollection",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableSet", "java.util.Collections$UnmodifiableMap");

    private static final Set<String> EXCEPTION_PACKAGES =
            Set.of("java.lang", "java.io", "java.util", "java.util.concurrent");

    private static final String FASTBIN_SERVICE_EXCEPTION = "org.apache.aries.rsa.provider.fastbin.api.ServiceException";

    private final List<String> patterns;
    private final long maxBytes;
    private final long maxDepth;
    private final long maxReferences;
    private final BiConsumer<String, String> onReject;

    /**
     * @param extraPatterns  class name patterns allowed besides the built-in ones
     * @param maxBytes       the largest serialized stream accepted, in bytes; also the largest array
     * @param maxDepth       the deepest object graph accepted
     * @param maxReferences  the most object references in one stream
     * @param onReject       told (what, why) of every rejection, e.g. to the {@link SecurityLog}
     * @throws IllegalArgumentException if a pattern is malformed or a bound not positive
     */
    public RemoteCallPolicy(List<String> extraPatterns, long maxBytes, long maxDepth, long maxReferences,
                            BiConsumer<String, String> onReject) {
        List<String> all = new ArrayList<>();
        all.add(HOTPOT_API);
        for (String p : extraPatterns) {
            String t = p.trim();
            if (!t.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*(\\.\\*\\*?)?")) {
                throw new IllegalArgumentException("rsa.allowed.classes: not a class name pattern: '" + t + "'");
            }
            all.add(t);
        }
        this.patterns = List.copyOf(all);
        if (maxBytes <= 0 || maxDepth <= 0 || maxReferences <= 0) {
            throw new IllegalArgumentException("bounds must be > 0: bytes " + maxBytes + ", depth " + maxDepth
                    + ", references " + maxReferences);
        }
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
        this.maxReferences = maxReferences;
        this.onReject = Objects.requireNonNull(onReject, "onReject");
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.streamBytes() > maxBytes) {
            return reject("a stream of more than " + info.streamBytes() + " bytes", "exceeds rsa.message.max.bytes=" + maxBytes);
        }
        if (info.depth() > maxDepth) {
            return reject("an object graph " + info.depth() + " deep", "exceeds the depth bound " + maxDepth);
        }
        if (info.references() > maxReferences) {
            return reject("a stream of " + info.references() + " references", "exceeds the bound " + maxReferences);
        }
        if (info.arrayLength() > maxBytes) {
            return reject("an array of " + info.arrayLength() + " elements", "exceeds rsa.message.max.bytes=" + maxBytes);
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            return Status.UNDECIDED;
        }
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive() || allowed(type)) {
            return Status.ALLOWED;
        }
        return reject("class " + info.serialClass().getName(), "not on the allow-list of remote call types");
    }

    /** @return whether instances of that (non-array) class may be read */
    public boolean allowed(Class<?> type) {
        String name = type.getName();
        if (JDK_VALUES.contains(name) || FASTBIN_SERVICE_EXCEPTION.equals(name)) {
            return true;
        }
        if (Throwable.class.isAssignableFrom(type) && EXCEPTION_PACKAGES.contains(type.getPackageName())) {
            return true;
        }
        for (String p : patterns) {
            if (matches(p, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".**")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);
            return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
        }
        return name.equals(pattern) || name.startsWith(pattern + "$");
    }

    private Status reject(String what, String why) {
        onReject.accept(what, why);
        return Status.REJECTED;
    }
}
