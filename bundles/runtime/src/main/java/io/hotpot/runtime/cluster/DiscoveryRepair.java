package io.hotpot.runtime.cluster;

import io.hotpot.api.FollowerService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repairs Aries RSA 1.16.1's ZooKeeper discovery where it loses endpoints after a ZooKeeper
 * outage, on both sides, by restarting the discovery bundle (transiently): the framework then
 * unregisters every service it registered, and a fresh discovery publishes every exported endpoint
 * and imports every endpoint in ZooKeeper again. At most once per {@link #MIN_REPAIR_INTERVAL_MS} ms.
 * While the discovery restarts, this node's imports of the other nodes' services go and come back.
 *
 * <p><b>Publishing side.</b> Its {@code ClientManager} registers one more {@code ZooKeeper} service
 * on every {@code SyncConnected} event, also when a client reconnects within its session, and on
 * expiry unregisters only the last one. Its endpoint repository then stays bound to a leaked
 * registration whose client is closed, and the node's endpoints stay out of ZooKeeper (seen in
 * {@code hotpot-faults.sh}, round 28 of a 30-minute run). Repaired when ZooKeeper holds no endpoint
 * of this node's {@link FollowerService} ({@link FollowerService#NODE_ID_PROPERTY}) owned by a
 * connected session of the discovery, for {@link #CONFIRM_MS} ms while Hotpot is connected (an
 * ephemeral znode of an expired session is still there for a while after ZooKeeper returns).
 *
 * <p><b>Importing side.</b> Its {@code ZookeeperEndpointListener} keys imports by znode path, and
 * a restarted node deletes and re-creates its endpoint znode under the same path. A listener that
 * read the old znode and handles its {@code NodeDeleted} after it read the new one removes the
 * import of a live endpoint and never adds it again: the leader then reports that the endpoint
 * "was not imported within endpoint.wait.ms" (seen in round 27 of a 30-minute run, when every node
 * restarted its discovery within a second). Repaired when ZooKeeper holds another node's
 * {@link FollowerService} endpoint, the same znode (same creation zxid) for
 * {@link #IMPORT_CONFIRM_MS} ms, that is not imported here: longer than the discovery's session
 * timeout, so an expired session's leftover znode is gone before it counts.
 *
 * <p>The checks run every {@link #PERIOD_MS} ms after a startup grace, and every
 * {@link #FAST_PERIOD_MS} ms for {@link #FAST_WINDOW_MS} ms after Hotpot's own session reconnects,
 * the first one after {@link #FIRST_CHECK_MS} ms plus a random jitter of up to
 * {@link #JITTER_MS} ms, so that the nodes of a cluster do not all restart their discovery in the
 * same second, which is what the importing-side race needs.
 *
 * <p>Thread-safe: the checks run on one thread of their own. Lifecycle LATENT → STARTED → CLOSED.
 */
public final class DiscoveryRepair implements Closeable {

    /** The symbolic name of Aries RSA's ZooKeeper discovery bundle. */
    public static final String DISCOVERY_BUNDLE = "org.apache.aries.rsa.discovery.zookeeper";
    /** Where Aries RSA's ZooKeeper discovery keeps the endpoints. */
    static final String REGISTRY = "/osgi/service_registry";
    /** How long after a reconnection the first check runs: Aries publishes again within about a second. */
    static final long FIRST_CHECK_MS = 1_500;
    static final long JITTER_MS = 2_000;
    /** How long this node's endpoint must stay unpublished before the discovery is restarted. */
    static final long CONFIRM_MS = 2_000;
    /**
     * How long another node's endpoint must stay in ZooKeeper, not imported here, before the
     * discovery is restarted: more than the discovery's session timeout ({@code zookeeper.timeout =
     * 10000} in Hotpot's feature), after which ZooKeeper has removed an expired session's znodes.
     */
    static final long IMPORT_CONFIRM_MS = 12_000;
    static final long PERIOD_MS = 10_000;
    static final long FAST_PERIOD_MS = 2_000;
    static final long FAST_WINDOW_MS = 60_000;
    static final long MIN_REPAIR_INTERVAL_MS = 30_000;
    /** No periodic check in the node's first seconds: its endpoint is exported once RSA's provider is up. */
    static final long STARTUP_GRACE_MS = 30_000;
    private static final long TICK_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryRepair.class);
    private static final Pattern NODE_ID = Pattern.compile("name=\"" + Pattern.quote(FollowerService.NODE_ID_PROPERTY)
            + "\"[^>]*?(?:value=\"([^\"]*)\"|>\\s*(?:<value>)?\\s*([^<\\s]+)\\s*<)");
    private static final Pattern ENDPOINT_ID = Pattern.compile(
            "name=\"endpoint\\.id\"[^>]*?(?:value=\"([^\"]*)\"|>\\s*(?:<value>)?\\s*([^<\\s]+)\\s*<)");

    private enum State { LATENT, STARTED, CLOSED }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CuratorFramework curator;
    private final BundleContext context;
    private final String nodeId;
    private final LongSupplier clock;
    private final Supplier<Set<Long>> discoverySessions;
    private final Supplier<Set<String>> importedEndpoints;
    private final RandomGenerator random;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotpot-discovery-repair");
        t.setDaemon(true);
        return t;
    });
    private final ConnectionStateListener reconnected = (client, newState) -> {
        if (newState == ConnectionState.RECONNECTED) {
            reconnected();
        }
    };
    private final long startedAt;

    // Read and written on the timer thread only, but for reconnected() (volatile).
    private volatile long nextCheckAt;
    private volatile long fastUntil = Long.MIN_VALUE / 2;
    private long lastRepairAt = Long.MIN_VALUE / 2;
    private long unpublishedSince = -1;
    /** Other nodes' endpoint znodes not imported here: "path@czxid" → when first seen so. */
    private final Map<String, Long> notImportedSince = new HashMap<>();

    /**
     * @param curator Hotpot's started client (the discovery znodes are open to every client)
     * @param context the runtime bundle's context, to find and restart the discovery bundle
     * @param nodeId  this node's id, as its {@link FollowerService} endpoint carries it
     * @param clock   milliseconds, monotonic
     * @param discoverySessions the ids of the discovery's connected ZooKeeper sessions now
     *                          ({@link #discoverySessions(BundleContext)}); empty if it has none
     * @param importedEndpoints the {@code endpoint.id}s of the other nodes' {@link FollowerService}
     *                          endpoints imported here now ({@link FollowerDirectory#endpointIds()})
     * @param random  the source of the jitter, used from two threads ({@link java.util.Random} is safe for that)
     */
    public DiscoveryRepair(CuratorFramework curator, BundleContext context, String nodeId, LongSupplier clock,
                           Supplier<Set<Long>> discoverySessions, Supplier<Set<String>> importedEndpoints,
                           RandomGenerator random) {
        this.curator = Objects.requireNonNull(curator, "curator");
        this.context = Objects.requireNonNull(context, "context");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.discoverySessions = Objects.requireNonNull(discoverySessions, "discoverySessions");
        this.importedEndpoints = Objects.requireNonNull(importedEndpoints, "importedEndpoints");
        this.random = Objects.requireNonNull(random, "random");
        this.startedAt = clock.getAsLong();
        this.nextCheckAt = startedAt + STARTUP_GRACE_MS;
    }

    /**
     * Starts watching; returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        curator.getConnectionStateListenable().addListener(reconnected);
        timer.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** Hotpot's session reconnected: check soon, with jitter, and often for a while. */
    void reconnected() {
        long now = clock.getAsLong();
        fastUntil = now + FAST_WINDOW_MS;
        nextCheckAt = now + FIRST_CHECK_MS + random.nextLong(JITTER_MS + 1);
    }

    /** Runs the checks if they are due; package-private so a test can drive it with its own clock. */
    void tick() {
        long now = clock.getAsLong();
        if (now < nextCheckAt || !curator.getZookeeperClient().isConnected()) {
            return;
        }
        nextCheckAt = now + (now < fastUntil ? FAST_PERIOD_MS : PERIOD_MS);
        Optional<String> why;
        try {
            why = problem(now);
        } catch (Exception e) {
            LOG.debug("Hotpot: node {} cannot read {}: {}", nodeId, REGISTRY, e.toString());
            return;
        }
        if (why.isPresent() && now - lastRepairAt >= MIN_REPAIR_INTERVAL_MS && state.get() != State.CLOSED) {
            lastRepairAt = now;
            unpublishedSince = -1;
            notImportedSince.clear();
            repair(why.get());
        }
    }

    /** @return what has been wrong for long enough to repair, if anything */
    private Optional<String> problem(long now) throws Exception {
        Set<String> imported = importedEndpoints.get();
        Set<String> seen = new HashSet<>();
        String lost = null;
        Set<Endpoint> endpoints = endpoints();
        for (Endpoint e : endpoints) {
            if (nodeId.equals(e.nodeId())) {
                continue;
            }
            String key = e.path() + "@" + e.czxid();
            if (imported.contains(e.endpointId())) {
                continue;
            }
            seen.add(key);
            long since = notImportedSince.computeIfAbsent(key, k -> now);
            if (now - since >= IMPORT_CONFIRM_MS && lost == null) {
                lost = "the endpoint " + e.endpointId() + " of node " + e.nodeId() + " has been in ZooKeeper for "
                        + (now - since) + " ms and is not imported here (the discovery dropped it)";
            }
        }
        // A znode imported meanwhile, deleted or re-created (another czxid) starts again from zero.
        notImportedSince.keySet().retainAll(seen);
        if (published(endpoints)) {
            unpublishedSince = -1;
        } else if (unpublishedSince < 0) {
            unpublishedSince = now;
        }
        if (unpublishedSince >= 0 && now - unpublishedSince >= CONFIRM_MS) {
            return Optional.of("ZooKeeper has held no endpoint of this node for " + (now - unpublishedSince)
                    + " ms although Hotpot's session is up (a ZooKeeper service leaked across a reconnection)");
        }
        return Optional.ofNullable(lost);
    }

    /**
     * @return whether ZooKeeper holds an endpoint of this node's follower service, owned by one of
     *         the discovery's connected sessions
     */
    boolean published() throws Exception {
        return published(endpoints());
    }

    private boolean published(Set<Endpoint> endpoints) {
        Set<Long> live = discoverySessions.get();
        for (Endpoint e : endpoints) {
            if (nodeId.equals(e.nodeId()) && live.contains(e.owner())) {
                return true;
            }
        }
        return false;
    }

    /** @return the {@link FollowerService} endpoints in ZooKeeper now, of every node */
    private Set<Endpoint> endpoints() throws Exception {
        Set<Endpoint> found = new HashSet<>();
        if (curator.checkExists().forPath(REGISTRY) == null) {
            return found;
        }
        for (String child : curator.getChildren().forPath(REGISTRY)) {
            String path = REGISTRY + "/" + child;
            Stat stat = new Stat();
            byte[] data;
            try {
                data = curator.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException gone) {
                continue;
            }
            String xml = data == null ? "" : new String(data, StandardCharsets.UTF_8);
            if (!xml.contains(FollowerService.class.getName())) {
                continue;
            }
            String node = first(NODE_ID.matcher(xml));
            String id = first(ENDPOINT_ID.matcher(xml));
            if (node != null && id != null) {
                found.add(new Endpoint(path, stat.getCzxid(), stat.getEphemeralOwner(), node, id));
            }
        }
        return found;
    }

    private static String first(Matcher m) {
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }

    /** One {@link FollowerService} endpoint znode as the discovery wrote it. */
    private record Endpoint(String path, long czxid, long owner, String nodeId, String endpointId) {
    }

    /**
     * @param context any bundle's context
     * @return the session ids of the {@code ZooKeeper} clients that the discovery bundle registered
     *         as services and that are connected now
     */
    public static Set<Long> discoverySessions(BundleContext context) {
        Set<Long> sessions = new HashSet<>();
        try {
            for (ServiceReference<ZooKeeper> ref : context.getServiceReferences(ZooKeeper.class, null)) {
                if (ref.getBundle() == null || !DISCOVERY_BUNDLE.equals(ref.getBundle().getSymbolicName())) {
                    continue;
                }
                ZooKeeper zk = context.getService(ref);
                try {
                    if (zk != null && zk.getState() == ZooKeeper.States.CONNECTED) {
                        sessions.add(zk.getSessionId());
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            LOG.debug("Hotpot: cannot read the discovery's ZooKeeper services", e);
        }
        return sessions;
    }

    private void repair(String why) {
        for (Bundle b : context.getBundles()) {
            if (DISCOVERY_BUNDLE.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                LOG.warn("Hotpot: node {}: {}; Aries RSA's discovery lost it; restarting bundle {} [{}] to publish and "
                        + "import every endpoint again", nodeId, why, DISCOVERY_BUNDLE, b.getBundleId());
                try {
                    b.stop(Bundle.STOP_TRANSIENT);
                    b.start(Bundle.START_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.error("Hotpot: node {}: restarting {} failed; the endpoints stay as they are", nodeId,
                            DISCOVERY_BUNDLE, e);
                }
                return;
            }
        }
    }

    /** Stops watching. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.STARTED) {
            curator.getConnectionStateListenable().removeListener(reconnected);
        }
        timer.shutdownNow();
    }
}
