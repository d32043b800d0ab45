package io.hotpot.runtime.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's presence in the cluster: an ephemeral znode {@code <root>/nodes/<nodeId>} kept by
 * Curator's {@link PersistentNode} recipe, which re-creates it after a session loss. The node's
 * members are the children of {@code <root>/nodes}.
 *
 * <p>Thread-safe.
 */
public final class Membership implements Closeable {

    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.LATENT);
    private final CuratorFramework client;
    private final String nodesPath;
    private final PersistentNode node;

    /**
     * @param client a started Curator client
     * @param root   Hotpot's root znode, e.g. {@code /hotpot}
     * @param nodeId this node's id
     * @param data   what to publish about this node (human-readable)
     */
    public Membership(CuratorFramework client, String root, String nodeId, String data) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodesPath = root + "/nodes";
        this.node = new PersistentNode(client, CreateMode.EPHEMERAL, false, nodesPath + "/" + nodeId,
                data.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Registers the node; returns at once, the znode appears once ZooKeeper is reachable.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        node.start();
    }

    /**
     * Lists the registered members. Blocks for one ZooKeeper round trip.
     *
     * @return the node ids, sorted
     * @throws Exception if ZooKeeper cannot be reached
     */
    public List<String> members() throws Exception {
        // Fail fast instead of blocking in Curator's retry loop while ZooKeeper is unreachable.
        if (!client.getZookeeperClient().isConnected()) {
            throw new IllegalStateException("not connected to ZooKeeper");
        }
        if (client.checkExists().forPath(nodesPath) == null) {
            return List.of();
        }
        return client.getChildren().forPath(nodesPath).stream().sorted().toList();
    }

    /** Deregisters the node. Idempotent. */
    @Override
    public void close() throws IOException {
        if (state.getAndSet(Lifecycle.CLOSED) == Lifecycle.STARTED) {
            node.close();
        }
    }
}
