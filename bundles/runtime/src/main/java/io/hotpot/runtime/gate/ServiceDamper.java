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
 * <p>Matching across a swap. A registration is not identified by a name (a renamed DS component
 * class, a Blueprint bean id and a factory configuration all change {@code component.name}), but
 * matched when it arrives: a new revision's registration takes over the proxy of an old one of the
 * same bundle with the same interfaces that has no service now, preferring one whose
 * filterable properties (all but the framework's and the component name's) are equal, then the
 * oldest proxy. A registration that matches none gets a proxy of its own (a service the new version
 * adds), and a proxy that no registration of the new revision took over is unregistered when the
 * gate opens ({@link #dropUnserved}: a service the new version dropped). A bundle's own code never
 * sees its own proxies, so a health check or migration that uses its own service does not wait on
 * the gate its swap holds.
 *
 * <p>Only services whose interfaces come from another bundle than the managed one are gated: an
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
    /** Not part of a registration's identity across a swap: names that an ordinary refactoring changes. */
    private static final Set<String> NOT_IDENTITY = Set.of("component.name", "osgi.service.blueprint.compname");

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final BundleContext context;
    private final Predicate<Bundle> managed;
    private final String nodeId;
    private volatile long waitMs;
    private final Map<String, CallGate> gates = new ConcurrentHashMap<>();
    /** Service id of a hidden registration of a managed bundle → that bundle's symbolic name. */
    private final Map<Long, String> hidden = new ConcurrentHashMap<>();
    /** Service id of a hidden registration → the proxy that serves it. */
    private final Map<Long, DampedService> assigned = new ConcurrentHashMap<>();
    private final Map<String, DampedService> damped = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong proxies = new java.util.concurrent.atomic.AtomicLong();
    /** Guards matching a registration to a proxy; notified when a proxy gets a service. */
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
        this.waitMs = requirePositive(waitMs);
    }

    /**
     * Changes how long calls wait for a gate or a service ({@code gate.wait.ms}), for the calls that
     * arrive from now on; the gates and proxies stay as they are, so a reconfigured node keeps
     * serving its consumers through the same registrations.
     *
     * @param waitMs milliseconds, at least 1
     * @throws IllegalArgumentException if waitMs is not positive
     */
    public void waitMs(long waitMs) {
        this.waitMs = requirePositive(waitMs);
    }

    private static long requirePositive(long waitMs) {
        if (waitMs <= 0) {
            throw new IllegalArgumentException("gate.wait.ms must be > 0: " + waitMs);
        }
        return waitMs;
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
                    hidden.put(id(ref), ref.getBundle().getSymbolicName());
                    registered(ref);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the gate of a bundle symbolic name, created on first use */
    public CallGate gate(String symbolicName) {
        return gates.computeIfAbsent(symbolicName, n -> new CallGate(n, () -> this.waitMs));
    }

    /**
     * Waits until every proxy standing for that bundle serves a service of its current revision,
     * or until the bundle has registered all it is going to ({@link Registrations}: an activator
     * bundle once ACTIVE, a Declarative Services bundle once its components settled, a Blueprint
     * bundle once its container is registered): its proxies
     * without a service then stand for services the new version dropped, and {@link #dropUnserved}
     * removes them when the gate opens.
     *
     * @param timeoutMs how long to wait, in milliseconds
     * @return the keys of the proxies still without a service that the bundle may yet register;
     *         empty when all are served or the rest were dropped
     * @throws InterruptedException if interrupted while waiting
     */
    public List<String> awaitServed(Bundle bundle, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            List<String> missing;
            synchronized (served) {
                missing = unserved(bundle.getSymbolicName()).stream().map(DampedService::key).sorted().toList();
            }
            long left = deadline - System.nanoTime();
            if (missing.isEmpty() || left <= 0) {
                return missing;
            }
            // Outside the lock: SCR answers under its own locks, which a registering thread may hold
            // while it waits for this lock in registered().
            if (Registrations.complete(context, bundle)) {
                return List.of();
            }
            synchronized (served) {
                // registered() notifies; the bound also covers a registration between the check and the wait.
                TimeUnit.NANOSECONDS.timedWait(served, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        }
    }

    /**
     * Unregisters the proxies of that bundle that no registration of its current revision took
     * over: services the new version no longer registers. Calls waiting on them fail at once.
     * Call once the gate is open again.
     *
     * @return the keys of the proxies removed
     */
    public List<String> dropUnserved(String symbolicName) {
        List<DampedService> gone;
        synchronized (served) {
            gone = unserved(symbolicName);
            gone.forEach(d -> damped.remove(d.key()));
        }
        // Outside the lock: unregistering calls the consumers' listeners on this thread.
        List<String> dropped = new java.util.ArrayList<>();
        for (DampedService d : gone) {
            d.drop();
            unregisterQuietly(d.registration());
            dropped.add(d.key());
        }
        if (!dropped.isEmpty()) {
            LOG.info("Hotpot: {} no longer registers {}; their proxies are gone", symbolicName, dropped);
        }
        return dropped;
    }

    /**
     * @return the interfaces of each proxy of that bundle's services, sorted: the services whose
     *         calls the bundle's gate holds while it is closed
     */
    public List<String> proxied(String symbolicName) {
        return damped.values().stream().filter(d -> d.bundleName().equals(symbolicName)).map(DampedService::interfaces)
                .sorted().toList();
    }

    private List<DampedService> unserved(String symbolicName) {
        return damped.values().stream().filter(d -> d.bundleName().equals(symbolicName))
                .filter(d -> d.targetRef() == null || d.targetRef().getBundle() == null).toList();
    }

    @Override
    public void find(BundleContext requester, String name, String filter, boolean allServices,
                     Collection<ServiceReference<?>> references) {
        if ((hidden.isEmpty() && damped.isEmpty()) || exempt(requester.getBundle())) {
            return;
        }
        String own = requester.getBundle().getSymbolicName();
        references.removeIf(ref -> (hidden.containsKey(id(ref)) && ref.getBundle() != requester.getBundle())
                || (own != null && own.equals(ref.getProperty(GATED_PROPERTY))));
    }

    @Override
    public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerHook.ListenerInfo>> listeners) {
        ServiceReference<?> ref = event.getServiceReference();
        if (event.getType() == ServiceEvent.REGISTERED && gateable(ref)) {
            hidden.put(id(ref), ref.getBundle().getSymbolicName());
        }
        Object gated = ref.getProperty(GATED_PROPERTY);
        if (gated != null) {
            // A bundle's own code binds to its own registrations, never to the proxy that its swap gates.
            listeners.keySet().removeIf(c -> gated.equals(c.getBundle().getSymbolicName()));
            return;
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
                DampedService d = assigned.get(id(ref));
                if (d != null && ref.equals(d.targetRef()) && d.registration() != null) {
                    d.identified(identity(ref));
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
        assigned.clear();
    }

    private void registered(ServiceReference<?> ref) {
        // Outside the lock: getting a DS service may activate its component, which may register more.
        Object service = context.getService(ref);
        if (service == null) {
            return;
        }
        Bundle bundle = ref.getBundle();
        String bsn = bundle.getSymbolicName();
        String[] classes = (String[]) ref.getProperty(Constants.OBJECTCLASS);
        String interfaces = interfacesKey(classes);
        Map<String, Object> identity = identity(ref);
        DampedService existing;
        synchronized (served) {
            existing = match(bsn, interfaces, identity);
            if (existing != null) {
                existing.target(ref, service, identity);
                assigned.put(id(ref), existing);
                served.notifyAll();
            }
        }
        if (existing != null) {
            Class<?>[] now = interfaces(service, classes);
            if (now != null && existing.madeForOther(now)) {
                reregister(existing, ref, classes, now);
                return;
            }
            // Outside the lock: modifying the proxy's properties calls its consumers' listeners.
            updateIfChanged(existing, ref);
            return;
        }
        Class<?>[] types = interfaces(service, classes);
        if (types == null) {
            // Not interfaces of one class loader after all: leave the service to its consumers, ungated.
            hidden.remove(id(ref));
            context.ungetService(ref);
            LOG.warn("Hotpot: cannot gate {} of bundle {}: not interfaces of one class loader; consumers that "
                    + "looked for it while it was hidden must look again", Arrays.toString(classes), bsn);
            return;
        }
        long sequence = proxies.incrementAndGet();
        DampedService d = new DampedService(bsn + "|" + interfaces + "|" + sequence, bsn, interfaces, sequence,
                gate(bsn), () -> this.waitMs);
        d.target(ref, service, identity);
        Object proxy = Proxy.newProxyInstance(types[0].getClassLoader(), types, d);
        synchronized (served) {
            damped.put(d.key(), d);
            assigned.put(id(ref), d);
            served.notifyAll();
        }
        d.registration(context.registerService(classes, proxy, proxyProperties(ref)), types);
        LOG.info("Hotpot: gating {} of bundle {}", Arrays.toString(classes), bsn);
    }

    /**
     * The swap re-wired the service's API package (the API bundle was updated with it): the proxy
     * made for the old interface classes cannot be cast by the consumers the refresh restarted onto
     * the new ones. A proxy for the new classes is registered, with the same handler (so held calls
     * and calls through the old proxy still reach the new revision), and the old proxy goes, as the
     * old service would without Hotpot: consumers still bound to it were wired to the old API and
     * are refreshed with it.
     */
    private void reregister(DampedService d, ServiceReference<?> ref, String[] classes, Class<?>[] types) {
        ServiceRegistration<?> old = d.registration();
        Object proxy = Proxy.newProxyInstance(types[0].getClassLoader(), types, d);
        d.registration(context.registerService(classes, proxy, proxyProperties(ref)), types);
        unregisterQuietly(old);
        LOG.info("Hotpot: {} of bundle {} now implements the interfaces of another API revision; its proxy is "
                + "registered again for them", Arrays.toString(classes), d.bundleName());
    }

    /**
     * The proxy a new registration takes over: one of the same bundle and interfaces with no service
     * now, whose identity is equal if any, else the oldest. Called holding {@code served}.
     */
    private DampedService match(String bsn, String interfaces, Map<String, Object> identity) {
        DampedService best = null;
        boolean bestExact = false;
        for (DampedService d : damped.values()) {
            if (!d.bundleName().equals(bsn) || !d.interfaces().equals(interfaces) || d.targetRef() != null) {
                continue;
            }
            boolean exact = identityEquals(d.identity(), identity);
            if (best == null || (exact && !bestExact) || (exact == bestExact && d.sequence() < best.sequence())) {
                best = d;
                bestExact = exact;
            }
        }
        return best;
    }

    private void unregistering(ServiceReference<?> ref) {
        hidden.remove(id(ref));
        DampedService d = assigned.remove(id(ref));
        if (d == null || !d.untarget(ref)) {
            return;
        }
        context.ungetService(ref);
        if (!gate(d.bundleName()).isClosed()) {
            // Not a Hotpot swap (bundle:stop, uninstall): consumers must see the service go, as without Hotpot.
            damped.remove(d.key());
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

    private static String interfacesKey(String[] objectClass) {
        String[] classes = objectClass.clone();
        Arrays.sort(classes);
        return String.join(",", classes);
    }

    /** The properties a consumer could filter on, but for the names a refactoring changes. */
    private static Map<String, Object> identity(ServiceReference<?> ref) {
        Map<String, Object> identity = new java.util.TreeMap<>();
        for (String k : ref.getPropertyKeys()) {
            if (!NOT_COPIED.contains(k) && !NOT_IDENTITY.contains(k)) {
                identity.put(k, ref.getProperty(k));
            }
        }
        return identity;
    }

    private static boolean identityEquals(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            if (!java.util.Objects.deepEquals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
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
