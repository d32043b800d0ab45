package io.hotpot.api.cluster;

import io.hotpot.api.ArtifactDescriptor;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A rollout as ZooKeeper keeps it, readable from any node: what was decided, by whom, under which
 * policy, and each node's progress. The history of the cluster is the list of these. Immutable and
 * thread-safe.
 *
 * @param rolloutId  the rollout's id
 * @param source     where the bytes came from (file, URL, bundle location, or a rollback)
 * @param artifact   what the rollout installs; for a removal ({@link #removal()}), what it removes
 * @param previous   what the cluster desired before, where a halted rollout returns; null if the
 *                   bundle was not managed before (for a removal, the artifact itself)
 * @param policy     how it moves through the cluster
 * @param trigger    what started it
 * @param leader     the node leading it now (a new leader takes over a running rollout)
 * @param startedAt  when it started, in milliseconds since the epoch
 * @param finishedAt when it finished, in milliseconds since the epoch, or 0 while it runs
 * @param status     where it stands
 * @param message    why it halted or how it ended; never null (may be empty)
 * @param nodes      each node's progress, ordered by node id
 * @param members    every artifact the rollout applies, as one set when there are several, in the
 *                   order given ({@code artifact} is the first); one for a rollout of one bundle
 * @param previousMembers what the cluster desired before for those members that had a version
 *                   (a member without one is new: a halted set removes it again)
 * @since 0.2 members and previousMembers
 */
public record RolloutRecord(String rolloutId, String source, ArtifactDescriptor artifact, ArtifactDescriptor previous,
                            RolloutPolicy policy, Trigger trigger, String leader, long startedAt, long finishedAt,
                            RolloutStatus status, String message, List<NodeProgress> nodes,
                            List<ArtifactDescriptor> members, List<ArtifactDescriptor> previousMembers)
        implements Serializable {

    /** A rollout of one bundle: its one member is the artifact. */
    public RolloutRecord(String rolloutId, String source, ArtifactDescriptor artifact, ArtifactDescriptor previous,
                         RolloutPolicy policy, Trigger trigger, String leader, long startedAt, long finishedAt,
                         RolloutStatus status, String message, List<NodeProgress> nodes) {
        this(rolloutId, source, artifact, previous, policy, trigger, leader, startedAt, finishedAt, status, message,
                nodes, List.of(artifact), previous == null ? List.of() : List.of(previous));
    }

    /**
     * @throws NullPointerException     if any argument but previous is null
     * @throws IllegalArgumentException if the artifact is not the first member
     */
    public RolloutRecord {
        Objects.requireNonNull(rolloutId, "rolloutId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(leader, "leader");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        nodes = List.copyOf(nodes);
        members = List.copyOf(members);
        previousMembers = List.copyOf(previousMembers);
        if (members.isEmpty() || !members.get(0).equals(artifact)) {
            throw new IllegalArgumentException("the artifact must be the first member: " + artifact + ", " + members);
        }
    }

    /** @return whether the rollout applies several artifacts as one set */
    public boolean set() {
        return members.size() > 1;
    }

    /** @return what the rollout applies, for one line: {@code bsn/version}, or the set's members */
    public String what() {
        return set() ? "set of " + members.size() + " " + members.stream().map(ArtifactDescriptor::coordinates).toList()
                : artifact.coordinates();
    }

    /** @return the same rollout with another status, message and end time */
    public RolloutRecord finish(RolloutStatus newStatus, String newMessage, long at) {
        return new RolloutRecord(rolloutId, source, artifact, previous, policy, trigger, leader, startedAt, at,
                newStatus, newMessage, nodes, members, previousMembers);
    }

    /** @return the same rollout led by another node, as after a failover */
    public RolloutRecord ledBy(String newLeader) {
        return new RolloutRecord(rolloutId, source, artifact, previous, policy, trigger, newLeader, startedAt,
                finishedAt, status, message, nodes, members, previousMembers);
    }

    /**
     * @return the same rollout with another message, as while an operator holds it ({@code hot:pause})
     * @since 0.2
     */
    public RolloutRecord withMessage(String newMessage) {
        return new RolloutRecord(rolloutId, source, artifact, previous, policy, trigger, leader, startedAt, finishedAt,
                status, newMessage, nodes, members, previousMembers);
    }

    /** @return the same rollout with the given per-node progress */
    public RolloutRecord withNodes(List<NodeProgress> newNodes) {
        return new RolloutRecord(rolloutId, source, artifact, previous, policy, trigger, leader, startedAt,
                finishedAt, status, message, newNodes, members, previousMembers);
    }

    /**
     * @return whether this rollout removes its artifact's bundle from the cluster ({@code hot:undeploy})
     * @since 0.2
     */
    public boolean removal() {
        return trigger == Trigger.UNDEPLOY;
    }

    /** @return true if the rollout completed and every node in it runs the artifact (for a removal: removed it) */
    public boolean succeeded() {
        return status == RolloutStatus.COMPLETED && !nodes.isEmpty()
                && nodes.stream().allMatch(n -> n.step() == NodeProgress.Step.APPLIED);
    }

    /** @return from start to end, or to now while it runs, in milliseconds */
    public long durationMs() {
        return (finishedAt == 0 ? System.currentTimeMillis() : finishedAt) - startedAt;
    }
}
