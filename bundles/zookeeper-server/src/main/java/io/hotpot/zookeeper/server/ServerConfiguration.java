package io.hotpot.zookeeper.server;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of {@link EmbeddedZooKeeperServer}, PID {@value EmbeddedZooKeeperServer#PID}.
 * Method names map to property keys the Declarative Services way: {@code data_dir} is {@code data.dir}.
 */
@ObjectClassDefinition(
        name = "Hotpot embedded ZooKeeper server",
        description = "A standalone (single node) ZooKeeper server running inside this Karaf.")
public @interface ServerConfiguration {

    @AttributeDefinition(name = "Host",
            description = "Address the client port binds to. Keep it on loopback unless other machines must connect.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "Client port.", min = "1", max = "65535")
    int port() default 2181;

    @AttributeDefinition(name = "Data directory",
            description = "Snapshots and transaction logs. ${...} refers to system properties.")
    String data_dir() default "${karaf.data}/zookeeper";

    @AttributeDefinition(name = "Tick time (ms)",
            description = "ZooKeeper's basic time unit; session timeouts are negotiated between 2 and 20 ticks.",
            min = "1")
    int tick_time_ms() default 2000;
}
