package io.hotpot.runtime.deploy;

import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutListener;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.Trigger;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code deploy/} trigger: a FileInstall {@link ArtifactInstaller} that claims every
 * {@code *.jar} in the node's deploy folder, ahead of FileInstall's own bundle handling and
 * Karaf's wrap deployer (it registers with a higher {@code service.ranking}). On the leader, a jar
 * that is added or replaced there is distributed to the whole cluster, the leader included; on a
 * follower it is refused with an error naming the leader, so the cluster never diverges silently.
 * Rollouts from here follow the node's {@code deploy.policy}.
 *
 * <p>FileInstall already polls and compares checksums; this class also waits until the file's
 * size and modification time stop changing, so a jar still being copied is not read half-written.
 * Removing a jar from {@code deploy/} leaves the bundle running on every node: a cluster-wide
 * uninstall is not implied by one node's file system.
 *
 * <p>Like FileInstall, it rebuilds what it did from disk on restart, so nothing is redone:
 * FileInstall hands every jar in {@code deploy/} to its installer again at each start, and a
 * restarted leader must not roll out again (possibly as a downgrade) a jar it distributed before.
 * Each distributed file's SHA-256 is recorded in {@code <data.dir>/deploy-distributed.properties}
 * once its rollout is recorded, whatever its outcome; a file whose bytes were distributed already,
 * or that the cluster's desired state already names, is skipped. To distribute the same bytes
 * again, use {@code hot:distribute}.
 *
 * <p>Called on FileInstall's watcher thread, one file at a time.
 */
public final class DeployTrigger implements ArtifactInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(DeployTrigger.class);

    private final String nodeId;
    private final Path deployDir;
    private final ClusterAdmin cluster;
    private final RolloutPolicy policy;
    private final FileStability stability;
    private final io.hotpot.runtime.store.PropertiesFile record;

    /**
     * @param nodeId    this node, for messages
     * @param deployDir the folder whose jars are claimed
     * @param cluster   the node's cluster service
     * @param policy    how rollouts started from deploy/ move through the cluster
     * @param stability how long a file must stay unchanged before it is read
     * @param record    where the digests of the files distributed so far are kept (a properties file)
     */
    public DeployTrigger(String nodeId, Path deployDir, ClusterAdmin cluster, RolloutPolicy policy,
                         FileStability stability, Path record) {
        this.record = new io.hotpot.runtime.store.PropertiesFile(Objects.requireNonNull(record, "record"));
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.deployDir = deployDir.toAbsolutePath().normalize();
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.stability = Objects.requireNonNull(stability, "stability");
    }

    @Override
    public boolean canHandle(File artifact) {
        Path parent = artifact.toPath().toAbsolutePath().normalize().getParent();
        return artifact.getName().endsWith(".jar") && deployDir.equals(parent);
    }

    @Override
    public void install(File artifact) {
        distribute(artifact);
    }

    @Override
    public void update(File artifact) {
        distribute(artifact);
    }

    @Override
    public void uninstall(File artifact) {
        LOG.info("Hotpot deploy/: {} was removed on node {}; its bundle keeps running on every node", artifact, nodeId);
    }

    private void distribute(File artifact) {
        Path file = artifact.toPath().toAbsolutePath();
        try {
            if (!stability.awaitStable(file)) {
                LOG.error("Hotpot deploy/: {} on node {} kept changing for {} ms; not distributed", file, nodeId,
                        stability.maxWaitMs());
                return;
            }
            String sha256 = io.hotpot.runtime.artifact.Sha256.of(file);
            String name = file.getFileName().toString();
            if (sha256.equals(distributed().getProperty(name))) {
                LOG.info("Hotpot deploy/: {} (sha256 {}) was distributed from node {} before; not again", file,
                        sha256.substring(0, 12), nodeId);
                return;
            }
            if (cluster.desired().values().stream().anyMatch(d -> d.sha256().equals(sha256))) {
                LOG.info("Hotpot deploy/: {} (sha256 {}) is what the cluster runs already; nothing to distribute", file,
                        sha256.substring(0, 12));
                remember(name, sha256);
                return;
            }
            RolloutRecord result = cluster.distribute(file.toUri().toString(), Trigger.DEPLOY, policy, RolloutListener.NONE);
            remember(name, sha256);
            for (NodeProgress n : result.nodes()) {
                if (n.step() != NodeProgress.Step.APPLIED) {
                    LOG.error("Hotpot deploy/: {} -> node {}: {}: {}", file, n.nodeId(), n.step(), n.detail());
                }
            }
            LOG.info("Hotpot deploy/: {} -> rollout {} ({}): {}{}", file, result.rolloutId(), policy, result.status(),
                    result.succeeded() ? ", every node runs " + result.artifact().coordinates() : ": " + result.message());
        } catch (ClusterException e) {
            // The cluster's message names the node and the file: "node1: /deploy/x.jar: not an OSGi bundle ...".
            LOG.error("Hotpot deploy/: rejected {}", e.getMessage());
        } catch (java.io.IOException e) {
            LOG.error("Hotpot deploy/: cannot read {} on node {}: {}", file, nodeId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private java.util.Properties distributed() throws java.io.IOException {
        return record.read();
    }

    private void remember(String name, String sha256) throws java.io.IOException {
        java.util.Properties p = record.read();
        p.setProperty(name, sha256);
        record.write(p, "Hotpot deploy/: the SHA-256 of each file distributed from this node");
    }
}
