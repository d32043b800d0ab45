package io.hotpot.zookeeper.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validated settings of one standalone ZooKeeper server, independent of where they came from (Config Admin
 * inside Karaf, or the command line of {@link StandaloneZooKeeper}).
 *
 * @param host       address the client port binds to (never a wildcard address unless you mean it); e.g. {@code 127.0.0.1}
 * @param port       client port, 1..65535 (ZooKeeper refuses port 0 together with a client port address)
 * @param dataDir    directory for snapshots and transaction logs; created on start if missing
 * @param tickTimeMs ZooKeeper's basic time unit in milliseconds; session timeouts are negotiated between 2 and 20 ticks
 */
public record ZooKeeperServerSettings(String host, int port, Path dataDir, int tickTimeMs) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    /**
     * @throws IllegalArgumentException if a value is missing or out of range
     */
    public ZooKeeperServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        if (tickTimeMs < 1) {
            throw new IllegalArgumentException("tickTimeMs must be positive, was " + tickTimeMs);
        }
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /**
     * Builds settings from the component configuration.
     * Config Admin does not always interpolate {@code ${karaf.data}} (e.g. when the value comes from the metatype
     * default), so placeholders in {@code data.dir} are resolved here against system properties.
     *
     * @throws IllegalArgumentException if a value is out of range or {@code data.dir} names an undefined system property
     */
    public static ZooKeeperServerSettings from(ServerConfiguration config) {
        return new ZooKeeperServerSettings(
                config.host().trim(),
                config.port(),
                Path.of(resolvePlaceholders(config.data_dir())),
                config.tick_time_ms());
    }

    /** {@code host:port}, the connect string a ZooKeeper client uses. */
    public String connectString() {
        return host + ":" + port;
    }

    /**
     * The ZooKeeper configuration ({@code zoo.cfg} keys) for these settings.
     * Unknown keys are turned into {@code zookeeper.*} system properties by ZooKeeper itself, which is how
     * {@code admin.enableServer=false} keeps the Jetty admin server (port 8080 on all interfaces) off.
     */
    Properties toZooKeeperProperties() {
        Properties properties = new Properties();
        properties.setProperty("clientPort", Integer.toString(port));
        properties.setProperty("clientPortAddress", host);
        properties.setProperty("dataDir", dataDir.toString());
        properties.setProperty("tickTime", Integer.toString(tickTimeMs));
        properties.setProperty("admin.enableServer", "false");
        // A long-running dev cluster must not fill the disk with snapshots: keep 3, purge hourly.
        properties.setProperty("autopurge.snapRetainCount", "3");
        properties.setProperty("autopurge.purgeInterval", "1");
        return properties;
    }

    private static String resolvePlaceholders(String value) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String replacement = System.getProperty(matcher.group(1));
            if (replacement == null) {
                throw new IllegalArgumentException(
                        "data.dir '" + value + "' refers to undefined system property " + matcher.group(1));
            }
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }
}
