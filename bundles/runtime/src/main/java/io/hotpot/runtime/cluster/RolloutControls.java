package io.hotpot.runtime.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.Optional;
import java.util.Properties;

/**
 * An operator's say over a running rollout ({@code hot:pause}, {@code hot:resume},
 * {@code hot:abort}), kept in ZooKeeper beside the rollout, so that it outlives the leader that
 * runs the rollout: a new leader that takes the rollout over finds it paused, or aborted, too.
 * <pre>
 *   &lt;root&gt;/controls/&lt;rollout id&gt;   control=PAUSE|ABORT, by=&lt;node&gt;, at=&lt;ms&gt;   (absent: go on)
 * </pre>
 * The leader reads it between batches ({@link RolloutExecutor}); a control therefore takes effect
 * at the next batch boundary, never inside a node's swap. Thread-safe.
 */
public final class RolloutControls {

    /** What the operator asked. */
    public enum Control {
        /** Apply no further batch until resumed. */
        PAUSE,
        /** Apply no further batch, and return every node already updated, as a failed gate does. */
        ABORT
    }

    private final CuratorFramework client;
    private final String path;

    /**
     * @param client a started Curator client
     * @param root   Hotpot's root znode
     */
    public RolloutControls(CuratorFramework client, String root) {
        this.client = client;
        this.path = root + "/controls";
    }

    /**
     * Records a control, replacing the one before (an abort of a paused rollout, say). Blocks for a
     * ZooKeeper round trip.
     *
     * @param by the node the command was given on, for the record
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void set(String rolloutId, Control control, String by) throws Exception {
        Properties p = new Properties();
        p.setProperty("control", control.name());
        p.setProperty("by", by);
        p.setProperty("at", Long.toString(System.currentTimeMillis()));
        client.create().orSetData().creatingParentsIfNeeded().forPath(path + "/" + rolloutId, ZnodeText.bytes(p));
    }

    /**
     * Lets the rollout go on ({@code hot:resume}), or forgets a finished rollout's control. Blocks for
     * a ZooKeeper round trip.
     *
     * @throws Exception if ZooKeeper cannot be reached
     */
    public void clear(String rolloutId) throws Exception {
        try {
            client.delete().forPath(path + "/" + rolloutId);
        } catch (KeeperException.NoNodeException ignored) {
            // Nothing was asked.
        }
    }

    /**
     * @return the control asked for the rollout, empty to go on
     * @throws Exception if ZooKeeper cannot be reached
     */
    public Optional<Control> get(String rolloutId) throws Exception {
        try {
            Properties p = ZnodeText.parse(client.getData().forPath(path + "/" + rolloutId));
            return Optional.of(Control.valueOf(p.getProperty("control")));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }
}
