package io.hotpot.runtime;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of a Hotpot node, PID {@code io.hotpot.node} (file {@code etc/io.hotpot.node.cfg}).
 * Every duration is in milliseconds, every size in bytes.
 */
@ObjectClassDefinition(id = "io.hotpot.node", name = "Hotpot node",
        description = "ZooKeeper connection, identity and limits of a Hotpot node")
public @interface NodeConfiguration {

    @AttributeDefinition(name = "Node id", description = "Unique id of this node in the cluster; empty means the karaf.name system property")
    String node_id() default "";

    @AttributeDefinition(name = "ZooKeeper connect string", description = "host:port[,host:port...] of the ZooKeeper ensemble")
    String zookeeper_connect() default "127.0.0.1:2181";

    @AttributeDefinition(name = "ZooKeeper root", description = "Root znode under which Hotpot keeps its nodes")
    String zookeeper_root() default "/hotpot";

    @AttributeDefinition(name = "Session timeout (ms)")
    int zookeeper_session_timeout_ms() default 10_000;

    @AttributeDefinition(name = "Connection timeout (ms)")
    int zookeeper_connection_timeout_ms() default 5_000;

    @AttributeDefinition(name = "Chunk size (bytes)", description = "Size of each transfer call from leader to follower")
    int chunk_size_bytes() default 256 * 1024;

    @AttributeDefinition(name = "Maximum artifact size (bytes)")
    long artifact_max_bytes() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "Concurrent transfers", description = "How many inbound transfers a node accepts at once; a begin beyond is refused, with a SECURITY line")
    int transfer_max_concurrent() default 16;

    @AttributeDefinition(name = "Transfer idle timeout (ms)", description = "A transfer that receives no chunk for this long is dropped, with its staging file")
    long transfer_idle_timeout_ms() default 60_000;

    @AttributeDefinition(name = "Unapplied artifact retention (ms)", description = "Stored bytes that no bundle runs or keeps for hot:rollback (staged for a rollout that halted) are deleted once older than this; longer than any rollout")
    long unapplied_retention_ms() default 3_600_000;

    @AttributeDefinition(name = "Remote call timeout (ms)", description = "Bound on status calls to other nodes")
    int call_timeout_ms() default 10_000;

    @AttributeDefinition(name = "Apply timeout (ms)", description = "Bound on one follower's whole transfer and apply")
    int apply_timeout_ms() default 180_000;

    @AttributeDefinition(name = "Migration timeout (ms)", description = "Bound on each state-migration call and on waiting for the new version's migration service")
    int migration_timeout_ms() default 30_000;

    @AttributeDefinition(name = "Gate wait (ms)", description = "How long a call to a managed bundle's service waits while the bundle is swapped, before it fails")
    int gate_wait_ms() default 30_000;

    @AttributeDefinition(name = "Endpoint wait (ms)", description = "How long the leader waits for a member's follower endpoint to be imported")
    int endpoint_wait_ms() default 15_000;

    @AttributeDefinition(name = "deploy/ folder", description = "Folder watched by FileInstall whose jars Hotpot distributes; empty means ${karaf.base}/deploy")
    String deploy_dir() default "";

    @AttributeDefinition(name = "Data folder", description = "Where artifacts, snapshots and staging files live; empty means ${karaf.data}/hotpot")
    String data_dir() default "";

    @AttributeDefinition(name = "Health timeout (ms)", description = "How long a swapped bundle's own HealthCheck services may take to answer; the bundle's calls stay held meanwhile")
    int health_timeout_ms() default 5_000;

    @AttributeDefinition(name = "Kept versions", description = "How many versions of each bundle a node keeps (the running one included), the choices of hot:rollback; at least 2")
    int kept_versions() default 3;

    @AttributeDefinition(name = "History size", description = "How many rollouts the cluster keeps in ZooKeeper for hot:history")
    int history_size() default 100;

    @AttributeDefinition(name = "deploy/ rollout policy", description = "Policy of rollouts started from deploy/: all, rolling:<batch size>, canary or canary:<node id>")
    String deploy_policy() default "all";
}
