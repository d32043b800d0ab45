package io.hotpot.runtime.cluster;

import io.hotpot.api.cluster.RolloutPolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The batches in which a rollout reaches the nodes, from its policy: followers in node id order,
 * the leader last, since the leader coordinates the rollout and should keep the known-good version
 * until the others have proven the new one. Immutable and thread-safe.
 *
 * @param batches the node ids of each batch, in order; every node exactly once
 */
record RolloutPlan(List<List<String>> batches) {

    RolloutPlan {
        batches = batches.stream().map(List::copyOf).toList();
    }

    /**
     * @param policy the rollout's policy
     * @param leader the leading node, which is also one of the nodes
     * @param nodes  every node of the rollout, the leader included
     * @return the plan
     * @throws IllegalArgumentException if the policy names a canary that is not one of the nodes
     */
    static RolloutPlan of(RolloutPolicy policy, String leader, Collection<String> nodes) {
        Objects.requireNonNull(leader, "leader");
        TreeSet<String> followers = new TreeSet<>(nodes);
        followers.remove(leader);
        List<String> order = new ArrayList<>(followers);
        order.add(leader);
        return switch (policy.kind()) {
            case ALL -> new RolloutPlan(List.of(order));
            case ROLLING -> {
                List<List<String>> batches = new ArrayList<>();
                for (int i = 0; i < order.size(); i += policy.batchSize()) {
                    batches.add(order.subList(i, Math.min(order.size(), i + policy.batchSize())));
                }
                yield new RolloutPlan(batches);
            }
            case CANARY -> {
                String canary = policy.canary() == null ? order.get(0) : policy.canary();
                if (!order.remove(canary)) {
                    throw new IllegalArgumentException("canary " + canary + " is not a cluster member; members: "
                            + new TreeSet<>(nodes));
                }
                yield new RolloutPlan(order.isEmpty() ? List.of(List.of(canary)) : List.of(List.of(canary), order));
            }
        };
    }

    /** @return every node of the plan, in order */
    List<String> nodes() {
        return batches.stream().flatMap(List::stream).toList();
    }
}
