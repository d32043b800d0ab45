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
     * cluster as a new rollout: records it and the desired state in ZooKeeper, stages the bytes on
     * every node, then applies them batch by batch as the policy says. A node that fails (or fails
     * its health gate) halts the rollout, and every node already updated goes back to the previous
     * version with its state. A node that cannot be reached is left behind and converges when it
     * returns. Returns once the rollout completed or was rolled back.
     *
     * @param url      where to read the bundle jar
     * @param trigger  what started the rollout, recorded in the history
     * @param policy   how the rollout moves through the cluster
     * @param listener told of each node's progress, on the rollout's threads
     * @return the rollout as it ended, with each node's progress
     * @throws ClusterException if this node is not the leader, the bytes cannot be read or are not a
     *                          bundle, or the canary node is not a cluster member (nothing changed)
     */
    RolloutRecord distribute(String url, Trigger trigger, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException;

    /**
     * Distributes several artifacts as one set ({@code hot:distribute a.jar b.jar}): one rollout,
     * one signed decision covering every member, every member staged on every node before any node
     * applies anything, and each node applying the set as one unit (one gate closure, one refresh,
     * every state carried, the health gate over all). A node that fails halts the rollout, and every
     * node already updated returns to the previous set: the previous version of each member, and the
     * members that are new removed. Returns once the rollout completed or was rolled back.
     *
     * @param urls     where to read each member, at least two, of distinct symbolic names
     * @return the rollout as it ended ({@link RolloutRecord#set()} is true)
     * @throws ClusterException if this node is not the leader, a member cannot be read or is not a
     *                          bundle, or two members have one symbolic name (nothing changed)
     * @since 0.2
     */
    RolloutRecord distributeSet(List<String> urls, Trigger trigger, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException;

    /**
     * Distributes the bytes of a bundle installed on this node, like
     * {@link #distribute(String, Trigger, RolloutPolicy, RolloutListener)}.
     *
     * @param bundleId the local bundle id
     * @return the rollout as it ended, with each node's progress
     * @throws ClusterException if this node is not the leader, the bundle does not exist, or its
     *                          bytes cannot be recovered
     */
    RolloutRecord distributeBundle(long bundleId, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException;

    /**
     * Rolls the whole cluster back to an earlier version of a bundle that this node kept: a new
     * rollout, policy all, through each node's downgrade path (the bundle's migration service
     * imports state exported by the newer version).
     *
     * @param symbolicName the bundle
     * @param version      the version to return to, or null for the one that ran before the
     *                     current one
     * @param listener     told of each node's progress
     * @return the rollout as it ended, with each node's progress
     * @throws ClusterException if this node is not the leader, or it kept no such version
     */
    RolloutRecord rollback(String symbolicName, String version, RolloutListener listener) throws ClusterException;

    /**
     * Removes a bundle that Hotpot distributed from the whole cluster: records the decision (the
     * desired state becomes "absent", a signed removal ticket) in ZooKeeper, asks every node whether
     * it can remove the bundle before any node does, then each node uninstalls it and refreshes
     * (OSGi Core R8, 4.4.9 Uninstalling Bundles; Bundle Wiring API, {@code refreshBundles}), batch by
     * batch as the policy says. A node refuses, with nothing changed, while other bundles are wired
     * to the bundle (it names them); that halts the removal, and nodes that already removed it get
     * it back (their state is gone with the uninstall). A node that was down removes it when it
     * returns. The bytes stay kept: {@link #rollback} installs them again. Returns once the removal
     * completed or was halted.
     *
     * @param symbolicName the bundle, as the desired state names it
     * @param policy       how the removal moves through the cluster
     * @param listener     told of each node's progress, on the rollout's threads
     * @return the rollout as it ended ({@link RolloutRecord#removal()} is true), with each node's progress
     * @throws ClusterException if this node is not the leader, ZooKeeper cannot be reached, or the
     *                          desired state names no such bundle (nothing changed)
     * @since 0.2
     */
    RolloutRecord undeploy(String symbolicName, RolloutPolicy policy, RolloutListener listener) throws ClusterException;

    /**
     * Works out what {@link #distribute} of the bytes at a URL would do on every node, and changes
     * nothing: the bytes are read and checked here but not kept, no rollout is recorded, and each
     * node answers {@code FollowerService.preview}. Blocks for at most {@code call.timeout.ms} per node.
     *
     * @return one preview per node, ordered by node id; a node that cannot be asked is
     *         {@link io.hotpot.api.ApplyPreview.Change#UNREACHABLE}
     * @throws ClusterException if this node is not the leader, or the bytes cannot be read or are not a bundle
     * @since 0.2
     */
    List<io.hotpot.api.ApplyPreview> preview(String url) throws ClusterException;

    /**
     * {@link #preview(String)} of the bytes of a bundle installed on this node.
     *
     * @throws ClusterException if this node is not the leader, the bundle does not exist, or its
     *                          bytes cannot be recovered
     * @since 0.2
     */
    List<io.hotpot.api.ApplyPreview> previewBundle(long bundleId) throws ClusterException;

    /**
     * Works out what {@link #undeploy} would do on every node, and changes nothing.
     *
     * @return one preview per node, ordered by node id
     * @throws ClusterException as {@link #undeploy}, before anything would be removed
     * @since 0.2
     */
    List<io.hotpot.api.ApplyPreview> previewUndeploy(String symbolicName) throws ClusterException;

    /**
     * Holds a running rollout at its next batch boundary ({@code hot:pause}): no further batch is
     * applied until {@link #resume}; nodes already updated stay so. The hold is kept in ZooKeeper, so a
     * new leader that takes the rollout over holds it too. Any node may be asked. Blocks for a few
     * ZooKeeper round trips; returns before the leader has reached the boundary.
     *
     * @return the rollout as ZooKeeper records it now
     * @throws ClusterException if there is no such rollout, it has finished, or ZooKeeper cannot be reached
     * @since 0.2
     */
    RolloutRecord pause(String rolloutId) throws ClusterException;

    /**
     * Lets a paused rollout go on with its next batch ({@code hot:resume}).
     *
     * @return the rollout as ZooKeeper records it now
     * @throws ClusterException as {@link #pause}
     * @since 0.2
     */
    RolloutRecord resume(String rolloutId) throws ClusterException;

    /**
     * Stops a running or paused rollout at its next batch boundary and returns every node it already
     * updated to the previous version, through the same path as a failed health gate
     * ({@code hot:abort}); it ends {@link RolloutStatus#ROLLED_BACK}.
     *
     * @return the rollout as ZooKeeper records it now
     * @throws ClusterException as {@link #pause}
     * @since 0.2
     */
    RolloutRecord abort(String rolloutId) throws ClusterException;

    /** @return the versions of a bundle this node kept, most recently applied first */
    List<io.hotpot.api.ArtifactDescriptor> kept(String symbolicName);

    /**
     * Reads the cluster's desired state from ZooKeeper. Blocks for a few ZooKeeper round trips.
     *
     * @return the artifact every node must run, per symbolic name; empty when ZooKeeper cannot be
     *         reached or no rollout happened yet
     */
    java.util.Map<String, io.hotpot.api.ArtifactDescriptor> desired();

    /**
     * Reads from ZooKeeper which bundles the cluster removed ({@link #undeploy}): their desired state
     * is "absent", and a node that still runs one differs from it. Blocks for a few ZooKeeper round
     * trips.
     *
     * @return the symbolic names, sorted; empty when ZooKeeper cannot be reached or nothing was removed
     * @since 0.2
     */
    java.util.SortedSet<String> undeployed();

    /**
     * Reads the cluster's rollout history from ZooKeeper, whichever node led each rollout. Blocks
     * for a few ZooKeeper round trips.
     *
     * @return the last rollouts (the leader keeps {@code history.size} of them), newest first;
     *         empty when ZooKeeper cannot be reached
     */
    List<RolloutRecord> rollouts();
}
