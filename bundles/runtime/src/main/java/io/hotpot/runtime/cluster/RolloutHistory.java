package io.hotpot.runtime.cluster;

import io.hotpot.api.cluster.RolloutResult;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last rollouts this node led, newest first, bounded in count. Thread-safe. */
final class RolloutHistory {

    private final int capacity;
    private final Deque<RolloutResult> rollouts = new ArrayDeque<>();

    RolloutHistory(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.capacity = capacity;
    }

    synchronized void add(RolloutResult result) {
        rollouts.addFirst(result);
        while (rollouts.size() > capacity) {
            rollouts.removeLast();
        }
    }

    synchronized List<RolloutResult> list() {
        return List.copyOf(rollouts);
    }
}
