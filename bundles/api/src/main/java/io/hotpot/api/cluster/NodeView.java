package io.hotpot.api.cluster;

import io.hotpot.api.NodeStatus;

import java.util.Objects;

/**
 * One cluster member as seen from the local node. Immutable and thread-safe.
 *
 * @param nodeId     the member's node id
 * @param leader     whether the member currently holds leadership (from the Curator leader latch)
 * @param local      whether the member is the node answering
 * @param endpoint   the RSA endpoint id through which it is reached, or {@code null} for the local
 *                   node or when no endpoint was discovered
 * @param lastSeenMs milliseconds since the member last answered a call, {@code 0} for the local
 *                   node, {@code -1} if it never answered
 * @param status     its managed bundles, or {@code null} when it could not be asked
 * @param error      why the status is missing, or {@code null}
 */
public record NodeView(String nodeId, boolean leader, boolean local, String endpoint, long lastSeenMs,
                       NodeStatus status, String error) {

    /** @throws NullPointerException if nodeId is null */
    public NodeView {
        Objects.requireNonNull(nodeId, "nodeId");
    }
}
