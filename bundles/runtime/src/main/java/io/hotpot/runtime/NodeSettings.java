package io.hotpot.runtime;

import io.hotpot.api.cluster.RolloutPolicy;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The validated, immutable form of {@link NodeConfiguration}, with defaults resolved against the
 * framework properties. Durations in milliseconds, sizes in bytes. Thread-safe.
 */
public record NodeSettings(String nodeId, String zookeeperConnect, String zookeeperRoot,
                           int sessionTimeoutMs, int connectionTimeoutMs, int chunkSizeBytes,
                           long artifactMaxBytes, int callTimeoutMs, int applyTimeoutMs,
                           int migrationTimeoutMs, int gateWaitMs, int endpointWaitMs, Path deployDir, Path dataDir,
                           int healthTimeoutMs, int keptVersions, int historySize, RolloutPolicy deployPolicy,
                           int transferMaxConcurrent, long transferIdleTimeoutMs, long unappliedRetentionMs) {

    /** @throws IllegalArgumentException naming the key whose value is unusable */
    public NodeSettings {
        requireText(nodeId, "node.id");
        requireText(zookeeperConnect, "zookeeper.connect");
        requireText(zookeeperRoot, "zookeeper.root");
        if (!zookeeperRoot.startsWith("/") || zookeeperRoot.endsWith("/")) {
            throw new IllegalArgumentException("zookeeper.root must start and not end with '/': " + zookeeperRoot);
        }
        if (!nodeId.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("node.id may only hold letters, digits, '.', '_' and '-': " + nodeId);
        }
        requirePositive(sessionTimeoutMs, "zookeeper.session.timeout.ms");
        requirePositive(connectionTimeoutMs, "zookeeper.connection.timeout.ms");
        requirePositive(chunkSizeBytes, "chunk.size.bytes");
        requirePositive(artifactMaxBytes, "artifact.max.bytes");
        requirePositive(callTimeoutMs, "call.timeout.ms");
        requirePositive(applyTimeoutMs, "apply.timeout.ms");
        requirePositive(migrationTimeoutMs, "migration.timeout.ms");
        requirePositive(gateWaitMs, "gate.wait.ms");
        requirePositive(endpointWaitMs, "endpoint.wait.ms");
        requirePositive(healthTimeoutMs, "health.timeout.ms");
        requirePositive(historySize, "history.size");
        requirePositive(transferMaxConcurrent, "transfer.max.concurrent");
        requirePositive(transferIdleTimeoutMs, "transfer.idle.timeout.ms");
        requirePositive(unappliedRetentionMs, "unapplied.retention.ms");
        if (keptVersions < 2) {
            throw new IllegalArgumentException("kept.versions must be >= 2 (the running version and the one to go back to): "
                    + keptVersions);
        }
        Objects.requireNonNull(deployPolicy, "deploy.policy");
        Objects.requireNonNull(deployDir, "deploy.dir");
        Objects.requireNonNull(dataDir, "data.dir");
    }

    /**
     * @param c          the configuration as ConfigAdmin delivered it
     * @param karafName  value of {@code karaf.name}, used when {@code node.id} is empty
     * @param karafBase  value of {@code karaf.base}
     * @param karafData  value of {@code karaf.data}
     * @return the settings
     * @throws IllegalArgumentException if a value is unusable
     */
    public static NodeSettings from(NodeConfiguration c, String karafName, String karafBase, String karafData) {
        String id = c.node_id().isBlank() ? karafName : c.node_id().trim();
        Path deploy = c.deploy_dir().isBlank() ? Path.of(orDot(karafBase), "deploy") : Path.of(c.deploy_dir());
        Path data = c.data_dir().isBlank() ? Path.of(orDot(karafData), "hotpot") : Path.of(c.data_dir());
        return new NodeSettings(id, c.zookeeper_connect().trim(), c.zookeeper_root().trim(),
                c.zookeeper_session_timeout_ms(), c.zookeeper_connection_timeout_ms(), c.chunk_size_bytes(),
                c.artifact_max_bytes(), c.call_timeout_ms(), c.apply_timeout_ms(), c.migration_timeout_ms(),
                c.gate_wait_ms(), c.endpoint_wait_ms(), deploy.toAbsolutePath().normalize(), data.toAbsolutePath().normalize(),
                c.health_timeout_ms(), c.kept_versions(), c.history_size(), policy(c.deploy_policy()),
                c.transfer_max_concurrent(), c.transfer_idle_timeout_ms(), c.unapplied_retention_ms());
    }

    /** @return the bounds of the node's inbound transfers */
    public io.hotpot.runtime.transfer.InboundTransfers.Limits transferLimits() {
        return new io.hotpot.runtime.transfer.InboundTransfers.Limits(artifactMaxBytes, transferMaxConcurrent,
                transferIdleTimeoutMs);
    }

    private static RolloutPolicy policy(String text) {
        try {
            return RolloutPolicy.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("deploy.policy: " + e.getMessage(), e);
        }
    }

    private static String orDot(String dir) {
        return dir == null || dir.isBlank() ? "." : dir;
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is empty");
        }
    }

    private static void requirePositive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be > 0: " + value);
        }
    }
}
