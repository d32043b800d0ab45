package io.hotpot.runtime.gate;

import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

/**
 * The stable stand-in for one service of a managed bundle: consumers hold this proxy, which stays
 * registered while the bundle under it is swapped, and forwards each call through the bundle's
 * {@link CallGate} to whichever revision's service is current. Thread-safe.
 */
final class DampedService implements InvocationHandler {

    private final String key;
    private final String bundleName;
    private final String interfaces;
    private final long sequence;
    // What a consumer could filter on, as the last target registered it: the first rule of matching.
    private volatile java.util.Map<String, Object> identity = java.util.Map.of();
    private final CallGate gate;
    private final java.util.function.LongSupplier waitMs;
    private final Object lock = new Object();
    // Read on every call without the lock; written under it, with a notify for waiting calls.
    private volatile Object target;
    private ServiceReference<?> targetRef;
    private ServiceRegistration<?> registration;
    /** The interface classes of the proxy registered now: those of the API revision it was made for. */
    private volatile Class<?>[] types;
    private boolean dropped;

    /**
     * @param interfaces the sorted, comma-joined {@code objectClass} of the service
     * @param sequence   the order in which the proxies of the damper were made, the rule for ties
     */
    DampedService(String key, String bundleName, String interfaces, long sequence, CallGate gate,
                  java.util.function.LongSupplier waitMs) {
        this.key = key;
        this.bundleName = bundleName;
        this.interfaces = interfaces;
        this.sequence = sequence;
        this.gate = gate;
        this.waitMs = waitMs;
    }

    String key() {
        return key;
    }

    String bundleName() {
        return bundleName;
    }

    String interfaces() {
        return interfaces;
    }

    long sequence() {
        return sequence;
    }

    java.util.Map<String, Object> identity() {
        return identity;
    }

    void registration(ServiceRegistration<?> registration) {
        this.registration = registration;
    }

    /** Records the registration of a proxy made for these interface classes. */
    void registration(ServiceRegistration<?> registration, Class<?>[] types) {
        this.registration = registration;
        this.types = types.clone();
    }

    /**
     * @return whether the registered proxy was made for other classes of these interfaces: the API
     *         package was re-wired by the swap (an API bundle updated with it), and the consumers that
     *         the refresh restarted cannot cast the old proxy to the new classes
     */
    boolean madeForOther(Class<?>[] now) {
        Class<?>[] mine = types;
        return mine != null && !java.util.Arrays.equals(mine, now);
    }

    ServiceRegistration<?> registration() {
        return registration;
    }

    /** Points the proxy at a revision's service; held calls wake up. */
    void target(ServiceReference<?> ref, Object service, java.util.Map<String, Object> identity) {
        synchronized (lock) {
            this.identity = identity;
            targetRef = ref;
            target = service;
            lock.notifyAll();
        }
    }

    /** @return the reference now served, or null while the bundle has none registered */
    ServiceReference<?> targetRef() {
        synchronized (lock) {
            return targetRef;
        }
    }

    /** Records the identity of the target again, after its properties were modified. */
    void identified(java.util.Map<String, Object> identity) {
        this.identity = identity;
    }

    /** The service is gone with the swap: calls waiting for a target fail now, new ones at once. */
    void drop() {
        synchronized (lock) {
            dropped = true;
            lock.notifyAll();
        }
    }

    /** Forgets the target if it is this reference; calls arriving now wait for the next one. */
    boolean untarget(ServiceReference<?> ref) {
        synchronized (lock) {
            if (ref.equals(targetRef)) {
                targetRef = null;
                target = null;
                return true;
            }
            return false;
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "Hotpot gated " + key;
                default -> throw new UnsupportedOperationException(method.getName());
            };
        }
        gate.enter();
        try {
            Object current = awaitTarget();
            return callable(method, current).invoke(current, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            gate.exit();
        }
    }

    /**
     * The method to call on the target: the proxy's own, or, when the target implements another
     * revision of the interface (the API bundle was updated in the swap, and this call comes through
     * the proxy made for the old one), the target's method of the same name and parameter types.
     * Arguments of JDK types pass either way; one of an old API class would not, and fails as before.
     */
    private static Method callable(Method method, Object target) {
        if (method.getDeclaringClass().isInstance(target)) {
            return method;
        }
        for (Class<?> i : allInterfaces(target.getClass())) {
            if (!i.getName().equals(method.getDeclaringClass().getName())) {
                continue;
            }
            for (Method m : i.getMethods()) {
                if (m.getName().equals(method.getName()) && sameParameters(m, method)) {
                    return m;
                }
            }
        }
        return method;
    }

    private static boolean sameParameters(Method a, Method b) {
        Class<?>[] x = a.getParameterTypes();
        Class<?>[] y = b.getParameterTypes();
        if (x.length != y.length) {
            return false;
        }
        for (int i = 0; i < x.length; i++) {
            if (!x[i].getName().equals(y[i].getName())) {
                return false;
            }
        }
        return true;
    }

    private static java.util.Set<Class<?>> allInterfaces(Class<?> type) {
        java.util.Set<Class<?>> all = new java.util.LinkedHashSet<>();
        java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            todo.addAll(java.util.Arrays.asList(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.pop();
            if (all.add(i)) {
                todo.addAll(java.util.Arrays.asList(i.getInterfaces()));
            }
        }
        return all;
    }

    private Object awaitTarget() throws InterruptedException {
        Object current = target;
        if (current != null) {
            return current;
        }
        synchronized (lock) {
            long wait = waitMs.getAsLong();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
            while (target == null) {
                if (dropped) {
                    throw new IllegalStateException("Hotpot: the new version of bundle " + bundleName
                            + " no longer registers " + key + "; the call was not executed");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("Hotpot: bundle " + bundleName + " registered no " + key
                            + " within gate.wait.ms=" + wait + " ms");
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return target;
        }
    }
}
