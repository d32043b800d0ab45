package io.hotpot.runtime.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.Participant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's candidacy for cluster leadership, through Curator's {@link LeaderLatch} recipe under
 * {@code <root>/leader}. Exactly one connected node holds the latch; when its ZooKeeper session
 * ends (crash, kill -9, partition), the latch passes to another node.
 *
 * <p>Thread-safe.
 */
public final class Leadership implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.LATENT);
    private final CuratorFramework client;
    private final LeaderLatch latch;
    private final String nodeId;

    /**
     * @param client a started Curator client
     * @param root   Hotpot's root znode, e.g. {@code /hotpot}
     * @param nodeId this node's id, used as the latch participant id
     */
    public Leadership(CuratorFramework client, String root, String nodeId) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.latch = new LeaderLatch(client, root + "/leader", nodeId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        latch.addListener(new org.apache.curator.framework.recipes.leader.LeaderLatchListener() {
            @Override
            public void isLeader() {
                LOG.info("Hotpot: node {} is now the leader", nodeId);
            }

            @Override
            public void notLeader() {
                LOG.info("Hotpot: node {} is no longer the leader", nodeId);
            }
        });
    }

    /**
     * Joins the election; returns at once, leadership arrives asynchronously.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() throws Exception {
        if (!state.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        latch.start();
    }

    /**
     * Adds work to run each time this node becomes the leader. Add it before {@link #start()}.
     *
     * @param elected runs on Curator's event thread: it must hand long work to a thread of its own
     */
    public void whenElected(Runnable elected) {
        latch.addListener(new org.apache.curator.framework.recipes.leader.LeaderLatchListener() {
            @Override
            public void isLeader() {
                elected.run();
            }

            @Override
            public void notLeader() {
                // A rollout in progress checks leadership before each batch.
            }
        });
    }

    /** @return true if this node holds leadership now (no ZooKeeper round trip) */
    public boolean isLeader() {
        return state.get() == Lifecycle.STARTED && latch.hasLeadership();
    }

    /**
     * Asks ZooKeeper who leads. Blocks for one ZooKeeper round trip.
     *
     * @return the leader's node id, or empty if there is none or ZooKeeper cannot be reached
     */
    public Optional<String> leaderId() {
        if (isLeader()) {
            return Optional.of(nodeId);
        }
        if (!client.getZookeeperClient().isConnected()) {
            return Optional.empty();
        }
        try {
            Participant leader = latch.getLeader();
            return leader.isLeader() ? Optional.of(leader.getId()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Leaves the election; a leader hands over at once. Idempotent. */
    @Override
    public void close() throws IOException {
        if (state.compareAndSet(Lifecycle.STARTED, Lifecycle.CLOSED)) {
            latch.close();
        } else {
            state.set(Lifecycle.CLOSED);
        }
    }
}
