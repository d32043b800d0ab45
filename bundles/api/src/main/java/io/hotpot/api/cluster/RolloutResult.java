package io.hotpot.api.cluster;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one distribution across the cluster: one {@link ApplyReport} per node, the
 * leader's own first. Immutable and thread-safe.
 *
 * @param rolloutId  a unique id for this distribution
 * @param source     where the bytes came from (file path, URL or bundle location)
 * @param artifact   what was distributed
 * @param trigger    what started it
 * @param reports    per-node acknowledgements, leader first
 * @param startedAt  start time, milliseconds since the epoch
 * @param durationMs from the trigger until the last follower answered, in milliseconds
 */
public record RolloutResult(String rolloutId, String source, ArtifactDescriptor artifact, Trigger trigger,
                            List<ApplyReport> reports, long startedAt, long durationMs) {

    /** @throws NullPointerException if any reference argument is null */
    public RolloutResult {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(trigger, "trigger");
        reports = List.copyOf(reports);
    }

    /** @return true if every node, the leader included, runs the artifact */
    public boolean succeeded() {
        return !reports.isEmpty() && reports.stream().allMatch(r -> r.outcome().succeeded());
    }
}
