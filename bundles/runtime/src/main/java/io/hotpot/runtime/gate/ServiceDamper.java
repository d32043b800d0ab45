package io.hotpot.runtime.gate;

import io.hotpot.api.health.HealthCheck;
import io.hotpot.api.migration.StateMigration;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.FindHook;
import org.osgi.framework.hooks.service.ListenerHook;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Keeps the services of Hotpot-managed bundles available across a swap, the way Blueprint's
 * damping does, with the OSGi service hooks of Core R8 (section 55, Service Hook Service
 * Specification):
 * <ul>
 *   <li>for each service a managed bundle registers, Hotpot registers a proxy with the same
 *       interfaces and properties, and serves consumers (local components, and Aries RSA, which
 *       exports the proxy) from it;</li>
 *   <li>a {@link FindHook} and an {@link EventListenerHook} hide the bundle's own registration from
 *       every other bundle, so no consumer binds to a service that goes away during a swap;</li>
 *   <li>while the bundle is swapped its {@link CallGate} is closed: calls wait in the proxy, then run
 *       on the new revision's service, which the proxy picks up when it is registered.</li>
 * </ul>
 * Only services whose interfaces come from another bundle than the managed one are gated: an
 * interface whose class would change with the swap cannot be proxied stably. Consumers that
 * already bound to a service before Hotpot started see its first swap as a plain update.
 *
 * <p>Thread-safe. Lifecycle LATENT → STARTED → CLOSED.
 */
public final class ServiceDamper implements FindHook, EventListenerHook, ServiceListener, Closeable {

    /** Property on a proxy registration: the symbolic name of the bundle it stands for. */
    public static final String GATED_PROPERTY = "hotpot.gated";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceDamper.class);
    /**
     * Not copied to the proxy: the framework's own keys, and {@code component.id}, which changes
     * with every activation; copying it would modify the proxy, and so its RSA endpoint, on every
     * swap, and remote clients would see their endpoint replaced under them.
     */
    private static final Set<String> NOT_COPIED = Set.of(Constants.SERVICE_ID, Constants.SERVICE_BUNDLEID,
            Constants.SERVICE_SCOPE, Constants.OBJECTCLASS, "component.id");

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final BundleContext context;
    private final Predicate<Bundle> managed;
    private final String nodeId;
    private final long waitMs;
    private final Map<String, CallGate> gates = new ConcurrentHashMap<>();
    private final Map<Long, String> hidden = new ConcurrentHashMap<>();
    private final Map<String, DampedService> damped = new ConcurrentHashMap<>();
    private final Object served = new Object();
    private ServiceRegistration<?> hooks;

    /**
     * @param context the runtime bundle's context; the proxies are registered through it
     * @param managed which bundles are Hotpot-managed
     * @param nodeId  this node, added to the proxies' properties ({@code hotpot.node.id})
     * @param waitMs  how long a call waits for a gate or a service, in milliseconds
     */
    public ServiceDamper(BundleContext context, Predicate<Bundle> managed, String nodeId, long waitMs) {
        this.context = context;
        this.managed = managed;
        this.nodeId = nodeId;
        this.waitMs = waitMs;
    }

    /**
     * Registers the hooks and adopts the managed bundles' services registered so far.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        context.addServiceListener(this);
        hooks = context.registerService(new String[]{FindHook.class.getName(), EventListenerHook.class.getName()},
                this, null);
        try {
            ServiceReference<?>[] all = context.getAllServiceReferences(null, null);
            for (ServiceReference<?> ref : all == null ? new ServiceReference<?>[0] : all) {
                if (gateable(ref)) {
                    hidden.put(id(ref), key(ref));
                    registered(ref);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the gate of a bundle symbolic name, created on first use */
    public CallGate gate(String symbolicName) {
        return gates.computeIfAbsent(symbolicName, n -> new CallGate(n, waitMs));
    }

    /**
     * Waits until every proxy standing for that bundle serves a service of its current revision.
     *
     * @param timeoutMs how long to wait, in milliseconds
     * @return the keys of the proxies still without a service; empty when all are served
     * @throws InterruptedException if interrupted while waiting
     */
    public List<String> awaitServed(Bundle bundle, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (served) {
            while (true) {
                List<String> missing = damped.values().stream()
                        .filter(d -> d.key().startsWith(bundle.getSymbolicName() + "|"))
                        .filter(d -> d.targetRef() == null || d.targetRef().getBundle() == null)
                        .map(DampedService::key).sorted().toList();
                long left = deadline - System.nanoTime();
                if (missing.isEmpty() || left <= 0) {
                    return missing;
                }
                // registered() notifies; the bound only guards against a registration missed in between.
                TimeUnit.NANOSECONDS.timedWait(served, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        }
    }

    @Override
    public void find(BundleContext requester, String name, String filter, boolean allServices,
                     Collection<ServiceReference<?>> references) {
        if (hidden.isEmpty() || exempt(requester.getBundle())) {
            return;
        }
        references.removeIf(ref -> hidden.containsKey(id(ref)) && ref.getBundle() != requester.getBundle());
    }

    @Override
    public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerHook.ListenerInfo>> listeners) {
        ServiceReference<?> ref = event.getServiceReference();
        if (event.getType() == ServiceEvent.REGISTERED && gateable(ref)) {
            hidden.put(id(ref), key(ref));
        }
        // Only arrivals are hidden: a consumer bound before Hotpot started must still hear of departures.
        if ((event.getType() == ServiceEvent.REGISTERED || event.getType() == ServiceEvent.MODIFIED)
                && hidden.containsKey(id(ref))) {
            listeners.keySet().removeIf(c -> !exempt(c.getBundle()) && c.getBundle() != ref.getBundle());
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        ServiceReference<?> ref = event.getServiceReference();
        if (!hidden.containsKey(id(ref))) {
            return;
        }
        switch (event.getType()) {
            case ServiceEvent.REGISTERED -> registered(ref);
            case ServiceEvent.MODIFIED -> {
                DampedService d = damped.get(hidden.get(id(ref)));
                if (d != null && ref.equals(d.targetRef()) && d.registration() != null) {
                    updateIfChanged(d, ref);
                }
            }
            case ServiceEvent.UNREGISTERING, ServiceEvent.MODIFIED_ENDMATCH -> unregistering(ref);
            default -> {
            }
        }
    }

    /** Unregisters the proxies and the hooks. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) != State.STARTED) {
            return;
        }
        context.removeServiceListener(this);
        hooks.unregister();
        for (DampedService d : damped.values()) {
            unregisterQuietly(d.registration());
        }
        damped.clear();
        hidden.clear();
    }

    private void registered(ServiceReference<?> ref) {
        String key = key(ref);
        Object service = context.getService(ref);
        if (service == null) {
            return;
        }
        DampedService existing = damped.get(key);
        if (existing != null) {
            existing.target(ref, service);
            updateIfChanged(existing, ref);
            synchronized (served) {
                served.notifyAll();
            }
            return;
        }
        Bundle bundle = ref.getBundle();
        String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
        Class<?>[] interfaces = interfaces(service, classes);
        if (interfaces == null) {
            // Not interfaces of one class loader after all: leave the service to its consumers, ungated.
            hidden.remove(id(ref));
            context.ungetService(ref);
            LOG.warn("Hotpot: cannot gate {} of bundle {}: not interfaces of one class loader; consumers that "
                    + "looked for it while it was hidden must look again", Arrays.toString(classes), bundle.getSymbolicName());
            return;
        }
        DampedService d = new DampedService(key, bundle.getSymbolicName(), gate(bundle.getSymbolicName()), waitMs);
        d.target(ref, service);
        Object proxy = Proxy.newProxyInstance(interfaces[0].getClassLoader(), interfaces, d);
        damped.put(key, d);
        d.registration(context.registerService(classes, proxy, proxyProperties(ref)));
        LOG.info("Hotpot: gating {} of bundle {}", Arrays.toString(classes), bundle.getSymbolicName());
    }

    private void unregistering(ServiceReference<?> ref) {
        String key = hidden.remove(id(ref));
        DampedService d = key == null ? null : damped.get(key);
        if (d == null || !d.untarget(ref)) {
            return;
        }
        context.ungetService(ref);
        String bsn = key.substring(0, key.indexOf('|'));
        if (!gate(bsn).isClosed()) {
            // Not a Hotpot swap (bundle:stop, uninstall): consumers must see the service go, as without Hotpot.
            damped.remove(key);
            unregisterQuietly(d.registration());
        }
    }

    private boolean gateable(ServiceReference<?> ref) {
        Bundle bundle = ref.getBundle();
        if (state.get() != State.STARTED || bundle == null || bundle.getBundleId() == 0
                || bundle.equals(context.getBundle()) || ref.getProperty(GATED_PROPERTY) != null
                || !managed.test(bundle)) {
            return false;
        }
        String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
        // Hotpot itself talks to these two, and to the revision that registered them, never a proxy.
        List<String> names = Arrays.asList(classes);
        if (names.contains(StateMigration.class.getName()) || names.contains(HealthCheck.class.getName())) {
            return false;
        }
        return importedFromElsewhere(bundle, classes);
    }

    /**
     * Whether every named class is in a package the bundle imports from another bundle, read from
     * its wiring. No class is loaded here: this runs inside the framework's event delivery, where a
     * class load that resolves a bundle takes the framework's global lock, and Felix then interrupts
     * a thread updating that bundle (OSGi deadlock avoidance), failing the update.
     */
    private static boolean importedFromElsewhere(Bundle bundle, String[] classes) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return false;
        }
        Set<String> imported = new java.util.HashSet<>();
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (!wire.getProvider().getBundle().equals(bundle)) {
                imported.add(String.valueOf(wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)));
            }
        }
        for (String name : classes) {
            int dot = name.lastIndexOf('.');
            if (dot < 0 || !imported.contains(name.substring(0, dot))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the named interfaces as the service object implements them (so nothing is loaded by
     *         name), if all are interfaces of one class loader; else null
     */
    private static Class<?>[] interfaces(Object service, String[] classes) {
        Map<String, Class<?>> implemented = new java.util.HashMap<>();
        java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>();
        for (Class<?> c = service.getClass(); c != null; c = c.getSuperclass()) {
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.pop();
            if (implemented.putIfAbsent(i.getName(), i) == null) {
                todo.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        Class<?>[] result = new Class<?>[classes.length];
        for (int i = 0; i < classes.length; i++) {
            result[i] = implemented.get(classes[i]);
            if (result[i] == null || result[i].getClassLoader() != result[0].getClassLoader()) {
                return null;
            }
        }
        return result;
    }

    /** Modifies the proxy only when the new revision's properties differ: consumers see no event otherwise. */
    private void updateIfChanged(DampedService d, ServiceReference<?> ref) {
        Dictionary<String, Object> wanted = proxyProperties(ref);
        ServiceReference<?> current = d.registration().getReference();
        boolean same = true;
        for (java.util.Enumeration<String> keys = wanted.keys(); keys.hasMoreElements() && same; ) {
            String k = keys.nextElement();
            same = java.util.Objects.deepEquals(wanted.get(k), current.getProperty(k));
        }
        for (String k : current.getPropertyKeys()) {
            same &= NOT_COPIED.contains(k) || wanted.get(k) != null;
        }
        if (!same) {
            d.registration().setProperties(wanted);
        }
    }

    private Dictionary<String, Object> proxyProperties(ServiceReference<?> ref) {
        Dictionary<String, Object> props = new Hashtable<>();
        for (String k : ref.getPropertyKeys()) {
            if (!NOT_COPIED.contains(k)) {
                props.put(k, ref.getProperty(k));
            }
        }
        props.put(GATED_PROPERTY, ref.getBundle().getSymbolicName());
        props.put("hotpot.node.id", nodeId);
        return props;
    }

    private boolean exempt(Bundle bundle) {
        return bundle.getBundleId() == 0 || bundle.equals(context.getBundle());
    }

    private static String key(ServiceReference<?> ref) {
        String[] classes = ((String[]) ref.getProperty(Constants.OBJECTCLASS)).clone();
        Arrays.sort(classes);
        Object component = ref.getProperty("component.name");
        return ref.getBundle().getSymbolicName() + "|" + String.join(",", classes)
                + (component == null ? "" : "|" + component);
    }

    private static long id(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    private static void unregisterQuietly(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException ignored) {
                // Already unregistered.
            }
        }
    }
}
