package io.hotpot.api.cluster;

import java.util.List;
import java.util.Optional;

/**
 * The local face of a Hotpot node, registered as an OSGi service by the runtime. Thread-safe.
 */
public interface ClusterAdmin {

    /** @return this node's id */
    String localNodeId();

    /** @return the current leader's node id, or empty while no leader is known (ZooKeeper down) */
    Optional<String> leaderId();

    /**
     * Lists the members registered in ZooKeeper and asks each for its status. Blocks for at most
     * {@code call.timeout.ms} per member; members that do not answer get an {@link NodeView#error()}.
     *
     * @return every member, the local node included, ordered by node id
     */
    List<NodeView> nodes();

    /**
     * Distributes the bytes at a URL ({@code file:}, {@code mvn:}, {@code http:} ...) to the whole
     * cluster: applies them on this node, then pushes them to every follower in parallel. Returns
     * once every follower has acknowledged or failed.
     *
     * @param url     where to read the bundle jar
     * @param trigger what started the rollout, recorded in the history
     * @return the per-node outcome
     * @throws ClusterException if this node is not the leader, or the bytes cannot be read or are
     *                          not a bundle (nothing was changed anywhere)
     */
    RolloutResult distribute(String url, Trigger trigger) throws ClusterException;

    /**
     * Distributes the bytes of a bundle installed on this node.
     *
     * @param bundleId the local bundle id
     * @return the per-node outcome
     * @throws ClusterException if this node is not the leader, the bundle does not exist, or its
     *                          bytes cannot be recovered
     */
    RolloutResult distributeBundle(long bundleId) throws ClusterException;

    /**
     * Rolls the whole cluster back to an earlier version of a bundle that this node kept: the
     * version is distributed again, like {@link #distribute}, through each node's downgrade path
     * (the bundle's migration service imports state exported by the newer version).
     *
     * @param symbolicName the bundle
     * @param version      the version to return to, or null for the one that ran before the
     *                     current one
     * @return the per-node outcome
     * @throws ClusterException if this node is not the leader, or it kept no such version
     */
    RolloutResult rollback(String symbolicName, String version) throws ClusterException;

    /** @return the versions of a bundle this node kept, most recently applied first */
    List<io.hotpot.api.ArtifactDescriptor> kept(String symbolicName);

    /**
     * Reads the cluster's desired state from ZooKeeper. Blocks for a few ZooKeeper round trips.
     *
     * @return the artifact every node must run, per symbolic name; empty when ZooKeeper cannot be
     *         reached or no rollout happened yet
     */
    java.util.Map<String, io.hotpot.api.ArtifactDescriptor> desired();

    /** @return the rollouts this node led since it started, newest first */
    List<RolloutResult> history();
}
