package io.hotpot.runtime.cluster;

import io.hotpot.api.FollowerService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import java.io.Closeable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The other nodes' {@link FollowerService} endpoints, as Aries RSA imports them into this
 * framework (services with {@code service.imported}), indexed by their {@code hotpot.node.id}.
 * Also remembers when each node last answered a call.
 *
 * <p>Thread-safe.
 */
public final class FollowerDirectory implements Closeable {

    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.LATENT);
    private final ServiceTracker<FollowerService, FollowerService> tracker;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    /**
     * @param context the runtime bundle's context
     */
    public FollowerDirectory(BundleContext context) {
        try {
            this.tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter("(&(objectClass="
                    + FollowerService.class.getName() + ")(service.imported=*))"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts tracking. The tracker's interest is what makes the RSA topology manager import the
     * endpoints in the first place.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        tracker.open();
    }

    /** @return the ids of nodes whose endpoint is imported now, sorted */
    public Set<String> nodeIds() {
        Set<String> ids = new TreeSet<>();
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs != null) {
            for (ServiceReference<FollowerService> ref : refs) {
                Object id = ref.getProperty(FollowerService.NODE_ID_PROPERTY);
                if (id != null) {
                    ids.add(id.toString());
                }
            }
        }
        return ids;
    }

    /** @return the {@code endpoint.id}s of the endpoints imported now */
    public Set<String> endpointIds() {
        Set<String> ids = new java.util.HashSet<>();
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs != null) {
            for (ServiceReference<FollowerService> ref : refs) {
                Object id = ref.getProperty("endpoint.id");
                if (id != null) {
                    ids.add(id.toString());
                }
            }
        }
        return ids;
    }

    /** @return the imported endpoint of that node, if any */
    public Optional<Endpoint> find(String nodeId) {
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs == null) {
            return Optional.empty();
        }
        // Newest import first: after a node restarts, its old endpoint lingers until its ZooKeeper session expires.
        java.util.Arrays.sort(refs, java.util.Comparator.comparing(
                (ServiceReference<FollowerService> r) -> (Long) r.getProperty("service.id")).reversed());
        for (ServiceReference<FollowerService> ref : refs) {
            if (nodeId.equals(String.valueOf(ref.getProperty(FollowerService.NODE_ID_PROPERTY)))) {
                FollowerService service = tracker.getService(ref);
                if (service != null) {
                    return Optional.of(new Endpoint(nodeId, String.valueOf(ref.getProperty("endpoint.id")), service));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until that node's endpoint is imported, polling every 50 ms.
     *
     * @param timeoutMs how long to wait, in milliseconds
     * @return the endpoint, or empty if it did not appear in time
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<Endpoint> await(String nodeId, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Optional<Endpoint> endpoint = find(nodeId);
            if (endpoint.isPresent() || System.nanoTime() > deadline) {
                return endpoint;
            }
            Thread.sleep(50);
        }
    }

    /** Records that the node just answered a call. */
    public void seen(String nodeId) {
        lastSeen.put(nodeId, System.currentTimeMillis());
    }

    /** @return milliseconds since the node last answered, or -1 if it never did */
    public long msSinceSeen(String nodeId) {
        Long at = lastSeen.get(nodeId);
        return at == null ? -1 : System.currentTimeMillis() - at;
    }

    /** Stops tracking. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(Lifecycle.CLOSED) == Lifecycle.STARTED) {
            tracker.close();
        }
    }

    /**
     * One imported endpoint.
     *
     * @param nodeId     the exporting node
     * @param endpointId the RSA endpoint id (the provider's address for the service)
     * @param service    the proxy; calls travel through the RSA provider
     */
    public record Endpoint(String nodeId, String endpointId, FollowerService service) {
    }
}
