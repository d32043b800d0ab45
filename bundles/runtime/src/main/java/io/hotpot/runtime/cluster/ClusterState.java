package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What the cluster decided and what each node runs, in ZooKeeper:
 * <pre>
 *   &lt;root&gt;/desired/&lt;bsn&gt;          the artifact every node must run (written by the leader
 *                                    before any node is touched), or, after hot:undeploy, a
 *                                    signed removal: no node runs the bundle (a tombstone, not a
 *                                    delete, so that a node that was down removes it too)
 *   &lt;root&gt;/actual/&lt;node&gt;/&lt;bsn&gt;   the outcome of that node's last apply
 * </pre>
 * Only descriptors live here, never bytes: a node that misses a rollout fetches the bytes from
 * another node and checks them by digest. Values are {@link Properties} text. Thread-safe.
 */
public final class ClusterState {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    /**
     * One desired artifact, with the leader's signed ticket: a node converging to it checks the
     * signature, so a write to ZooKeeper alone cannot make a node run anything.
     *
     * @param ticket the signed decision: artifact, rollout, sequence, leader, rollback flag
     * @param at     when it was decided, in milliseconds since the epoch
     */
    public record Desired(SignedRolloutTicket ticket, long at) {

        /** @return what every node must run */
        public ArtifactDescriptor artifact() {
            return ticket.ticket().artifact();
        }

        /** @return the rollout that decided it */
        public String rolloutId() {
            return ticket.ticket().rolloutId();
        }

        /** @return the node that signed the decision */
        public String leader() {
            return ticket.ticket().leaderId();
        }

        /** @return whether the cluster decided that no node runs this bundle any more ({@code hot:undeploy}) */
        public boolean absent() {
            return ticket.ticket().removal();
        }
    }

    private final CuratorFramework client;
    private final String desired;
    private final String actual;

    /**
     * @param client a started Curator client
     * @param root   Hotpot's root znode
     */
    public ClusterState(CuratorFramework client, String root) {
        this.client = client;
        this.desired = root + "/desired";
        this.actual = root + "/actual";
    }

    /** @return whether the client is connected now; the blocking calls would wait for a session otherwise */
    public boolean connected() {
        return client.getZookeeperClient().isConnected();
    }

    /** @return the znode whose children are the desired artifacts */
    public String desiredPath() {
        return desired;
    }

    /**
     * Records the desired artifact of a symbolic name. Blocks for a ZooKeeper round trip.
     *
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void writeDesired(Desired d) throws Exception {
        Properties p = new Properties();
        ZnodeText.putArtifact(p, "", d.artifact());
        p.setProperty("rolloutId", d.rolloutId());
        p.setProperty("leader", d.leader());
        p.setProperty("sequence", Long.toString(d.ticket().ticket().sequence()));
        p.setProperty("rollback", Boolean.toString(d.ticket().ticket().rollback()));
        p.setProperty("action", d.ticket().ticket().action().name());
        p.setProperty("setSize", Integer.toString(d.ticket().ticket().setSize()));
        p.setProperty("signature", Base64.getEncoder().encodeToString(d.ticket().signature()));
        p.setProperty("at", Long.toString(d.at()));
        client.create().orSetData().creatingParentsIfNeeded().forPath(desired + "/" + d.artifact().symbolicName(), ZnodeText.bytes(p));
    }

    /**
     * Puts back what was desired before a rollout that did not go ahead, or removes the entry.
     *
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void restoreDesired(String symbolicName, Optional<Desired> previous) throws Exception {
        if (previous.isPresent()) {
            writeDesired(previous.get());
        } else {
            try {
                client.delete().forPath(desired + "/" + symbolicName);
            } catch (KeeperException.NoNodeException ignored) {
                // Nothing to remove.
            }
        }
    }

    /**
     * @return the desired artifact of that symbolic name, if any
     * @throws Exception if ZooKeeper cannot be reached
     */
    public Optional<Desired> desired(String symbolicName) throws Exception {
        try {
            return Optional.of(parse(client.getData().forPath(desired + "/" + symbolicName)));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("Hotpot: ignoring unreadable desired state of {}: {}", symbolicName, e.toString());
            return Optional.empty();
        }
    }

    /**
     * @return every desired artifact, oldest decision first (the order to install them in)
     * @throws Exception if ZooKeeper cannot be reached
     */
    public List<Desired> allDesired() throws Exception {
        if (client.checkExists().forPath(desired) == null) {
            return List.of();
        }
        List<Desired> all = new ArrayList<>();
        for (String child : client.getChildren().forPath(desired)) {
            try {
                all.add(parse(client.getData().forPath(desired + "/" + child)));
            } catch (KeeperException.NoNodeException ignored) {
                // Removed meanwhile.
            } catch (RuntimeException e) {
                LOG.warn("Hotpot: ignoring unreadable desired state {}/{}: {}", desired, child, e.toString());
            }
        }
        all.sort(Comparator.comparingLong(Desired::at));
        return all;
    }

    /** Records a node's apply outcome, in the background: never blocks the apply on ZooKeeper. */
    public void writeActual(ApplyReport r) {
        Properties p = new Properties();
        boolean runs = r.outcome().succeeded() && r.outcome() != io.hotpot.api.ApplyOutcome.REMOVED;
        p.setProperty("version", r.runningVersion() == null ? "" : r.runningVersion());
        p.setProperty("sha256", runs ? r.artifact().sha256() : "");
        p.setProperty("requested", r.artifact().coordinates());
        p.setProperty("outcome", r.outcome().name());
        p.setProperty("message", r.message());
        p.setProperty("at", Long.toString(System.currentTimeMillis()));
        try {
            client.create().orSetData().creatingParentsIfNeeded().inBackground()
                    .forPath(actual + "/" + r.nodeId() + "/" + r.artifact().symbolicName(), ZnodeText.bytes(p));
        } catch (Exception e) {
            LOG.debug("Hotpot: cannot record the actual state of {}", r.nodeId(), e);
        }
    }

    private static Desired parse(byte[] data) {
        Properties p = ZnodeText.parse(data);
        RolloutTicket ticket = new RolloutTicket(p.getProperty("rolloutId"), Long.parseLong(p.getProperty("sequence")),
                ZnodeText.artifact(p, ""), p.getProperty("leader"), Boolean.parseBoolean(p.getProperty("rollback")),
                RolloutTicket.Action.valueOf(p.getProperty("action", RolloutTicket.Action.RUN.name())),
                Integer.parseInt(p.getProperty("setSize", "1")));
        return new Desired(new SignedRolloutTicket(ticket, Base64.getDecoder().decode(p.getProperty("signature"))),
                Long.parseLong(p.getProperty("at", "0")));
    }
}
