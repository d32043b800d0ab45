package io.hotpot.api;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of one node's Hotpot-managed bundles. Immutable and thread-safe.
 *
 * @param nodeId  the node's id ({@code node.id} in PID {@code io.hotpot.node})
 * @param leader  whether the node held leadership when it answered
 * @param bundles the bundles Hotpot manages on that node, ordered by symbolic name
 * @param takenAt when the snapshot was taken, in milliseconds since the epoch (node clock)
 */
public record NodeStatus(String nodeId, boolean leader, List<BundleStatus> bundles, long takenAt)
        implements Serializable {

    /** @throws NullPointerException if nodeId or bundles is null */
    public NodeStatus {
        Objects.requireNonNull(nodeId, "nodeId");
        bundles = List.copyOf(bundles);
    }
}
