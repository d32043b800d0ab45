package io.hotpot.api.cluster;

import java.io.Serializable;
import java.util.Locale;

/**
 * How a rollout moves through the cluster. Every node applies through its health gate (the bundle
 * is ACTIVE, its state imported, its own {@link io.hotpot.api.health.HealthCheck}s healthy); the
 * policy decides in which batches, and a node that fails halts the rollout, after which every node
 * already updated goes back to the previous version with its state.
 * <ul>
 *   <li>{@link Kind#ALL}: every node at once;</li>
 *   <li>{@link Kind#ROLLING}: {@code batchSize} nodes at a time, followers first, the leader last;</li>
 *   <li>{@link Kind#CANARY}: one node (the {@code canary}, or the first follower), then, if it
 *       passed its gate, every other node.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param kind      the policy
 * @param batchSize nodes per batch for {@link Kind#ROLLING}, {@code >= 1}; 1 for the others
 * @param canary    the node id that goes first for {@link Kind#CANARY}, or {@code null} for the first
 *                  follower by node id; always null for the other kinds
 */
public record RolloutPolicy(Kind kind, int batchSize, String canary) implements Serializable {

    /** The policies. */
    public enum Kind { ALL, ROLLING, CANARY }

    /** All nodes at once. */
    public static final RolloutPolicy ALL = new RolloutPolicy(Kind.ALL, 1, null);

    /**
     * @throws NullPointerException     if kind is null
     * @throws IllegalArgumentException if batchSize is below 1, or a canary is named for another kind
     */
    public RolloutPolicy {
        if (kind == null) {
            throw new NullPointerException("kind");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
        }
        if (canary != null && (kind != Kind.CANARY || canary.isBlank())) {
            throw new IllegalArgumentException("a canary node is only for the canary policy, and not blank");
        }
    }

    /**
     * Reads the console and configuration form.
     *
     * @param kind      {@code all}, {@code rolling} or {@code canary}, in any case
     * @param batchSize nodes per batch, used by {@code rolling}
     * @param canary    the canary node for {@code canary}, or null/blank for the first follower
     * @return the policy
     * @throws IllegalArgumentException naming the accepted values, if {@code kind} is none of them
     */
    public static RolloutPolicy of(String kind, int batchSize, String canary) {
        Kind k;
        try {
            k = Kind.valueOf(kind.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown rollout policy '" + kind + "'; use all, rolling or canary");
        }
        return new RolloutPolicy(k, k == Kind.ROLLING ? batchSize : 1,
                k == Kind.CANARY && canary != null && !canary.isBlank() ? canary.trim() : null);
    }

    /** @return the short form shown in tables: {@code all}, {@code rolling:2}, {@code canary:node2} */
    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "all";
            case ROLLING -> "rolling:" + batchSize;
            case CANARY -> canary == null ? "canary" : "canary:" + canary;
        };
    }

    /**
     * Reads {@link #toString()}'s form back.
     *
     * @throws IllegalArgumentException if the text is not such a form
     */
    public static RolloutPolicy parse(String text) {
        String[] parts = text.trim().split(":", 2);
        String kind = parts[0].toLowerCase(Locale.ROOT);
        if (kind.equals("rolling")) {
            try {
                return of(kind, parts.length > 1 ? Integer.parseInt(parts[1]) : 1, null);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("rolling needs a numeric batch size: " + text);
            }
        }
        return of(kind, 1, parts.length > 1 ? parts[1] : null);
    }
}
