package io.hotpot.runtime.cluster;

import io.hotpot.api.FollowerService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Keeps this node's endpoint published by Aries RSA's ZooKeeper discovery, which after a session
 * expiry may never publish it again. The cause, in Aries RSA 1.16.1's {@code ClientManager}: it
 * registers one more {@code ZooKeeper} service on every {@code SyncConnected} event, also when a
 * client reconnects within its session (a ZooKeeper restart shorter than the session timeout), and
 * on expiry unregisters only the last one. Its endpoint repository then stays bound to a leaked
 * registration whose client is closed, and the node's endpoints stay out of ZooKeeper: nodes that
 * start later never import it (seen in {@code hotpot-faults.sh}, round 28 of a 30-minute run).
 *
 * <p>After each reconnection of Hotpot's own session, and every {@link #PERIOD_MS} ms, this reads
 * {@code /osgi/service_registry}: if no endpoint there is this node's {@link FollowerService}
 * ({@link FollowerService#NODE_ID_PROPERTY}) owned by a live session of the discovery (an
 * ephemeral znode of an expired session is still there for a while after ZooKeeper returns, and
 * then goes), twice in a row, {@link #CONFIRM_MS} ms apart, while Hotpot is connected, it restarts
 * the discovery bundle (transiently): the framework then
 * unregisters every service it registered, leaked ones included, and a fresh {@code ClientManager}
 * publishes every exported endpoint again. At most once per {@link #MIN_REPAIR_INTERVAL_MS} ms.
 * While the discovery restarts, this node's own imports of the other nodes' services go and come back.
 *
 * <p>Thread-safe. Lifecycle LATENT → STARTED → CLOSED.
 */
public final class DiscoveryRepair implements Closeable {

    /** The symbolic name of Aries RSA's ZooKeeper discovery bundle. */
    public static final String DISCOVERY_BUNDLE = "org.apache.aries.rsa.discovery.zookeeper";
    /** Where Aries RSA's ZooKeeper discovery keeps the endpoints. */
    static final String REGISTRY = "/osgi/service_registry";
    /** How long after a reconnection the first check runs: Aries publishes again within about a second. */
    static final long FIRST_CHECK_MS = 1_500;
    static final long CONFIRM_MS = 2_000;
    static final long PERIOD_MS = 10_000;
    static final long MIN_REPAIR_INTERVAL_MS = 30_000;
    /** No periodic check in the node's first seconds: its endpoint is exported once RSA's provider is up. */
    static final long STARTUP_GRACE_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryRepair.class);

    private enum State { LATENT, STARTED, CLOSED }

    /** Why a check runs: only the periodic one waits for the node's startup grace. */
    private enum Check { PERIODIC, RECONNECTED, CONFIRM }

    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final CuratorFramework curator;
    private final BundleContext context;
    private final String nodeId;
    private final LongSupplier clock;
    private final Supplier<Set<Long>> discoverySessions;
    private final Pattern ownEndpoint;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotpot-discovery-repair");
        t.setDaemon(true);
        return t;
    });
    private final ConnectionStateListener reconnected = (client, newState) -> {
        if (newState == ConnectionState.RECONNECTED) {
            schedule(FIRST_CHECK_MS, Check.RECONNECTED);
        }
    };
    private final long startedAt;
    private volatile long lastRepairAt = Long.MIN_VALUE / 2;

    /**
     * @param curator Hotpot's started client (the discovery znodes are open to every client)
     * @param context the runtime bundle's context, to find and restart the discovery bundle
     * @param nodeId  this node's id, as its {@link FollowerService} endpoint carries it
     * @param clock   milliseconds, monotonic
     * @param discoverySessions the ids of the discovery's connected ZooKeeper sessions now
     *                          ({@link #discoverySessions(BundleContext)}); empty if it has none
     */
    public DiscoveryRepair(CuratorFramework curator, BundleContext context, String nodeId, LongSupplier clock,
                           Supplier<Set<Long>> discoverySessions) {
        this.curator = Objects.requireNonNull(curator, "curator");
        this.context = Objects.requireNonNull(context, "context");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.discoverySessions = Objects.requireNonNull(discoverySessions, "discoverySessions");
        // The RSA endpoint description XML: <property name="hotpot.node.id" value="node2"/>, or with a <value> element.
        String name = Pattern.quote(FollowerService.NODE_ID_PROPERTY);
        String id = Pattern.quote(nodeId);
        this.ownEndpoint = Pattern.compile("name=\"" + name + "\"[^>]*value=\"" + id + "\"|name=\"" + name
                + "\"[^>]*>\\s*(<value>)?\\s*" + id + "\\s*<");
        this.startedAt = clock.getAsLong();
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
        timer.scheduleWithFixedDelay(() -> check(Check.PERIODIC), PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    private void schedule(long delayMs, Check why) {
        if (state.get() == State.STARTED) {
            try {
                timer.schedule(() -> check(why), delayMs, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // Closed meanwhile.
            }
        }
    }

    private void check(Check why) {
        if (state.get() != State.STARTED || !curator.getZookeeperClient().isConnected()) {
            return;
        }
        long now = clock.getAsLong();
        if (why == Check.PERIODIC && now - startedAt < STARTUP_GRACE_MS) {
            return;
        }
        try {
            if (published()) {
                return;
            }
        } catch (Exception e) {
            LOG.debug("Hotpot: node {} cannot read {}: {}", nodeId, REGISTRY, e.toString());
            return;
        }
        if (why != Check.CONFIRM) {
            schedule(CONFIRM_MS, Check.CONFIRM);
            return;
        }
        if (now - lastRepairAt < MIN_REPAIR_INTERVAL_MS) {
            return;
        }
        lastRepairAt = now;
        repair();
    }

    /**
     * @return whether ZooKeeper holds an endpoint of this node's follower service, owned by one of
     *         the discovery's connected sessions
     */
    boolean published() throws Exception {
        if (curator.checkExists().forPath(REGISTRY) == null) {
            return false;
        }
        Set<Long> live = discoverySessions.get();
        List<String> endpoints = curator.getChildren().forPath(REGISTRY);
        for (String endpoint : endpoints) {
            byte[] data;
            Stat stat = new Stat();
            try {
                data = curator.getData().storingStatIn(stat).forPath(REGISTRY + "/" + endpoint);
            } catch (org.apache.zookeeper.KeeperException.NoNodeException gone) {
                continue;
            }
            String xml = data == null ? "" : new String(data, StandardCharsets.UTF_8);
            if (xml.contains(FollowerService.class.getName()) && ownEndpoint.matcher(xml).find()
                    && live.contains(stat.getEphemeralOwner())) {
                return true;
            }
        }
        return false;
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

    private void repair() {
        for (Bundle b : context.getBundles()) {
            if (DISCOVERY_BUNDLE.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                LOG.warn("Hotpot: node {}: ZooKeeper holds no endpoint of this node although Hotpot's session is up; "
                        + "Aries RSA's discovery lost it (a ZooKeeper service leaked across a reconnection); restarting "
                        + "bundle {} [{}] to publish it again", nodeId, DISCOVERY_BUNDLE, b.getBundleId());
                try {
                    b.stop(Bundle.STOP_TRANSIENT);
                    b.start(Bundle.START_TRANSIENT);
                } catch (BundleException | IllegalStateException e) {
                    LOG.error("Hotpot: node {}: restarting {} failed; its endpoint stays unpublished", nodeId,
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
