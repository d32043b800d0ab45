package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.api.cluster.Trigger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The cluster's rollouts in ZooKeeper, so that any node can show the history and a new leader can
 * finish what a dead one started:
 * <pre>
 *   &lt;root&gt;/rollouts/&lt;rollout id&gt;            the rollout: artifact, previous, policy, status
 *   &lt;root&gt;/rollouts/&lt;rollout id&gt;/&lt;node&gt;     that node's progress and last apply report
 * </pre>
 * Values are {@link Properties} text. Blocking methods wait for ZooKeeper round trips and throw
 * what Curator throws when it cannot be reached. Thread-safe.
 */
public final class RolloutLog {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutLog.class);

    private final CuratorFramework client;
    private final String path;

    /**
     * @param client a started Curator client
     * @param root   Hotpot's root znode
     */
    public RolloutLog(CuratorFramework client, String root) {
        this.client = client;
        this.path = root + "/rollouts";
    }

    /**
     * Records a rollout and its nodes' progress. Blocks until ZooKeeper has it.
     *
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void write(RolloutRecord r) throws Exception {
        client.create().orSetData().creatingParentsIfNeeded().forPath(path + "/" + r.rolloutId(), ZnodeText.bytes(encode(r)));
        for (NodeProgress p : r.nodes()) {
            client.create().orSetData().forPath(path + "/" + r.rolloutId() + "/" + p.nodeId(), ZnodeText.bytes(encode(p)));
        }
    }

    /**
     * Records one node's progress in the background: never holds up a rollout on ZooKeeper.
     */
    public void progress(String rolloutId, NodeProgress p) {
        try {
            client.create().orSetData().creatingParentsIfNeeded().inBackground()
                    .forPath(path + "/" + rolloutId + "/" + p.nodeId(), ZnodeText.bytes(encode(p)));
        } catch (Exception e) {
            LOG.debug("Hotpot: cannot record the progress of {} in rollout {}", p.nodeId(), rolloutId, e);
        }
    }

    /**
     * @return the rollout with its nodes' progress, if ZooKeeper has it
     * @throws Exception if ZooKeeper cannot be reached
     */
    public Optional<RolloutRecord> read(String rolloutId) throws Exception {
        try {
            RolloutRecord r = decodeRollout(rolloutId, ZnodeText.parse(client.getData().forPath(path + "/" + rolloutId)));
            List<NodeProgress> nodes = new ArrayList<>();
            for (String node : client.getChildren().forPath(path + "/" + rolloutId)) {
                try {
                    nodes.add(decodeProgress(node, ZnodeText.parse(client.getData().forPath(path + "/" + rolloutId + "/" + node))));
                } catch (KeeperException.NoNodeException ignored) {
                    // Pruned meanwhile.
                }
            }
            nodes.sort(Comparator.comparing(NodeProgress::nodeId));
            return Optional.of(r.withNodes(nodes));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the cluster stands behind a ticket now ({@link io.hotpot.runtime.follower.RolloutDecisions}):
     * its rollout is recorded {@code RUNNING}, and the ticket is of that rollout's artifact, or, flagged
     * as a rollback, of the version it replaces (a halted rollout's return, which is signed while
     * the rollout still runs). Only the cluster's identity can write these znodes (their ACL).
     *
     * <p>ZooKeeper lets a client read from a server that lags behind the leader's write; so a
     * rollout that is not found running is read again after a {@code sync}, within {@code syncMs}.
     *
     * @param ticket a ticket whose signature verified
     * @param syncMs how long to wait for a connection, and then for the sync, in milliseconds
     * @return why not, naming the rollout; empty if the cluster stands behind it. A ZooKeeper that
     *         cannot be read is a refusal too: a node does not apply what it cannot check.
     */
    public Optional<String> refusal(io.hotpot.api.RolloutTicket ticket, long syncMs) {
        String id = ticket.rolloutId();
        try {
            // Curator would retry for as long as its policy allows; a node does not apply what it cannot check.
            if (!client.blockUntilConnected((int) syncMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return Optional.of("cannot read rollout '" + id + "' from ZooKeeper: not connected within " + syncMs
                        + " ms");
            }
            Optional<String> first = refusalAsRead(ticket);
            if (first.isEmpty()) {
                return first;
            }
            java.util.concurrent.CountDownLatch synced = new java.util.concurrent.CountDownLatch(1);
            client.sync().inBackground((c, event) -> synced.countDown()).forPath(path + "/" + id);
            synced.await(syncMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            return refusalAsRead(ticket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while reading rollout '" + id + "' from ZooKeeper");
        } catch (Exception e) {
            return Optional.of("cannot read rollout '" + id + "' from ZooKeeper to check that the cluster runs it: " + e);
        }
    }

    private Optional<String> refusalAsRead(io.hotpot.api.RolloutTicket ticket) throws Exception {
        String id = ticket.rolloutId();
        Properties p;
        try {
            p = ZnodeText.parse(client.getData().forPath(path + "/" + id));
        } catch (KeeperException.NoNodeException e) {
            return Optional.of("the cluster records no rollout '" + id + "'");
        }
        String status = p.getProperty("status", "?");
        if (!RolloutStatus.RUNNING.name().equals(status)) {
            return Optional.of("rollout '" + id + "' is " + status + ", not running: the cluster no longer stands behind"
                    + " its tickets");
        }
        String sha = ticket.artifact().sha256();
        RolloutRecord recorded = decodeRollout(id, p);
        boolean forward = recorded.members().stream().anyMatch(m -> m.sha256().equals(sha));
        boolean back = ticket.rollback() && recorded.previousMembers().stream().anyMatch(m -> m.sha256().equals(sha));
        if (!forward && !back) {
            return Optional.of("rollout '" + id + "' is of " + p.getProperty("artifact.symbolicName") + "/"
                    + p.getProperty("artifact.version") + ", not of " + ticket.artifact().coordinates() + " sha256 "
                    + ticket.artifact().shortDigest());
        }
        // A removal is a decision of its own kind: a rollout that runs an artifact does not authorize removing it.
        boolean removal = Trigger.UNDEPLOY.name().equals(p.getProperty("trigger"));
        // A halted set returns a member that was new by removing it again: the one removal a run authorizes.
        boolean newMemberReturned = ticket.removal() && forward && recorded.set() && recorded.previousMembers().stream()
                .noneMatch(m -> m.symbolicName().equals(ticket.artifact().symbolicName()));
        if (ticket.removal() && !newMemberReturned && (!forward || !removal) || !ticket.removal() && forward && removal) {
            return Optional.of("rollout '" + id + "' " + (removal ? "removes " : "runs ")
                    + p.getProperty("artifact.symbolicName") + "/" + p.getProperty("artifact.version") + "; the ticket "
                    + (ticket.removal() ? "removes" : "runs") + " it");
        }
        return Optional.empty();
    }

    /**
     * @return every recorded rollout, newest first; unreadable entries are skipped with a warning
     * @throws Exception if ZooKeeper cannot be reached
     */
    public List<RolloutRecord> list() throws Exception {
        if (client.checkExists().forPath(path) == null) {
            return List.of();
        }
        List<RolloutRecord> all = new ArrayList<>();
        for (String id : client.getChildren().forPath(path)) {
            try {
                read(id).ifPresent(all::add);
            } catch (RuntimeException e) {
                LOG.warn("Hotpot: ignoring unreadable rollout {}/{}: {}", path, id, e.toString());
            }
        }
        all.sort(Comparator.comparingLong(RolloutRecord::startedAt).reversed());
        return all;
    }

    /**
     * Deletes the oldest finished rollouts beyond the given count.
     *
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void prune(int keep) throws Exception {
        List<RolloutRecord> all = list();
        for (RolloutRecord r : all.subList(Math.min(keep, all.size()), all.size())) {
            if (r.status().finished()) {
                try {
                    client.delete().deletingChildrenIfNeeded().forPath(path + "/" + r.rolloutId());
                } catch (KeeperException.NoNodeException ignored) {
                    // Already gone.
                }
            }
        }
    }

    private static Properties encode(RolloutRecord r) {
        Properties p = new Properties();
        ZnodeText.putArtifact(p, "artifact.", r.artifact());
        if (r.previous() != null) {
            ZnodeText.putArtifact(p, "previous.", r.previous());
        }
        if (r.set()) {
            p.setProperty("members", Integer.toString(r.members().size()));
            for (int i = 0; i < r.members().size(); i++) {
                ZnodeText.putArtifact(p, "member." + i + ".", r.members().get(i));
            }
            p.setProperty("previousMembers", Integer.toString(r.previousMembers().size()));
            for (int i = 0; i < r.previousMembers().size(); i++) {
                ZnodeText.putArtifact(p, "previousMember." + i + ".", r.previousMembers().get(i));
            }
        }
        p.setProperty("source", r.source());
        p.setProperty("policy", r.policy().toString());
        p.setProperty("trigger", r.trigger().name());
        p.setProperty("leader", r.leader());
        p.setProperty("startedAt", Long.toString(r.startedAt()));
        p.setProperty("finishedAt", Long.toString(r.finishedAt()));
        p.setProperty("status", r.status().name());
        p.setProperty("message", r.message());
        return p;
    }

    private static RolloutRecord decodeRollout(String id, Properties p) {
        ArtifactDescriptor artifact = ZnodeText.artifact(p, "artifact.");
        ArtifactDescriptor previous = p.containsKey("previous.sha256") ? ZnodeText.artifact(p, "previous.") : null;
        List<ArtifactDescriptor> members = artifacts(p, "member.", "members", List.of(artifact));
        List<ArtifactDescriptor> previousMembers = artifacts(p, "previousMember.", "previousMembers",
                previous == null ? List.of() : List.of(previous));
        return new RolloutRecord(id, p.getProperty("source", "?"), artifact, previous,
                RolloutPolicy.parse(p.getProperty("policy")),
                Trigger.valueOf(p.getProperty("trigger")), p.getProperty("leader", "?"),
                Long.parseLong(p.getProperty("startedAt", "0")), Long.parseLong(p.getProperty("finishedAt", "0")),
                RolloutStatus.valueOf(p.getProperty("status")), p.getProperty("message", ""), List.of(), members,
                previousMembers);
    }

    /** @return the artifacts {@code <prefix>0.}, {@code <prefix>1.} ... that {@code count} says there are, or the default */
    private static List<ArtifactDescriptor> artifacts(Properties p, String prefix, String count,
                                                      List<ArtifactDescriptor> otherwise) {
        if (!p.containsKey(count)) {
            return otherwise;
        }
        List<ArtifactDescriptor> all = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(p.getProperty(count)); i++) {
            all.add(ZnodeText.artifact(p, prefix + i + "."));
        }
        return all;
    }

    private static Properties encode(NodeProgress n) {
        Properties p = new Properties();
        p.setProperty("step", n.step().name());
        p.setProperty("detail", n.detail());
        p.setProperty("at", Long.toString(n.at()));
        ApplyReport r = n.report();
        if (r != null) {
            ZnodeText.putArtifact(p, "report.artifact.", r.artifact());
            p.setProperty("report.outcome", r.outcome().name());
            optional(p, "report.previousVersion", r.previousVersion());
            optional(p, "report.runningVersion", r.runningVersion());
            optional(p, "report.bundleState", r.bundleState());
            optional(p, "report.failedPhase", r.failedPhase() == null ? null : r.failedPhase().name());
            p.setProperty("report.message", r.message());
            p.setProperty("report.stateBytes", Long.toString(r.stateBytes()));
            p.setProperty("report.pauseMicros", Long.toString(r.pauseMicros()));
            p.setProperty("report.heldCalls", Integer.toString(r.heldCalls()));
            p.setProperty("report.durationMs", Long.toString(r.durationMs()));
        }
        return p;
    }

    private static NodeProgress decodeProgress(String node, Properties p) {
        ApplyReport report = null;
        if (p.containsKey("report.outcome")) {
            String phase = p.getProperty("report.failedPhase");
            report = new ApplyReport(node, ZnodeText.artifact(p, "report.artifact."), ApplyOutcome.valueOf(p.getProperty("report.outcome")),
                    p.getProperty("report.previousVersion"), p.getProperty("report.runningVersion"),
                    p.getProperty("report.bundleState"), phase == null ? null : ApplyPhase.valueOf(phase),
                    p.getProperty("report.message", ""), Long.parseLong(p.getProperty("report.stateBytes", "-1")),
                    Long.parseLong(p.getProperty("report.pauseMicros", "-1")),
                    Integer.parseInt(p.getProperty("report.heldCalls", "-1")),
                    Long.parseLong(p.getProperty("report.durationMs", "0")));
        }
        return new NodeProgress(node, NodeProgress.Step.valueOf(p.getProperty("step")), report,
                p.getProperty("detail", ""), Long.parseLong(p.getProperty("at", "0")));
    }

    private static void optional(Properties p, String key, String value) {
        if (value != null) {
            p.setProperty(key, value);
        }
    }
}
