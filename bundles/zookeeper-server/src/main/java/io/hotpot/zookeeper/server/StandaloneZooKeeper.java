package io.hotpot.zookeeper.server;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link EmbeddedZooKeeperServer} as a plain Java process, outside OSGi. This is the ZooKeeper of the local
 * cluster started by {@code hotpot-cluster.sh}.
 *
 * <pre>
 * java -cp hotpot-zookeeper-server.jar:hotpot-zookeeper.jar:slf4j-api.jar:metrics-core.jar:snappy-java.jar \
 *     io.hotpot.zookeeper.server.StandaloneZooKeeper --host 127.0.0.1 --port 2181 --data-dir ./zookeeper
 * </pre>
 *
 * Prints {@value #READY_PREFIX}{@code host:port} on standard output once clients can connect, and stops the server
 * on SIGTERM / SIGINT (JVM shutdown hooks). Exit codes: 0 after a clean stop, 1 if the server could not start,
 * 2 for bad arguments.
 */
public final class StandaloneZooKeeper {

    /** Start of the line printed when the server accepts clients; scripts wait for it. */
    public static final String READY_PREFIX = "ZooKeeper listening on ";

    private static final String USAGE = "Usage: StandaloneZooKeeper [--host 127.0.0.1] [--port 2181]"
            + " [--data-dir ./zookeeper] [--tick-time-ms 2000]";

    private StandaloneZooKeeper() {
    }

    public static void main(String[] args) throws InterruptedException {
        ZooKeeperServerSettings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        EmbeddedZooKeeperServer server = new EmbeddedZooKeeperServer(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "zookeeper-shutdown"));

        try {
            server.start();
        } catch (Exception e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        if (server.state() == EmbeddedZooKeeperServer.State.STARTED) {
            System.out.println(READY_PREFIX + settings.connectString());
            System.out.flush();
        }
        // The server runs on its own non-daemon threads; main only has to stay until the shutdown hook is done.
        stopped.await();
    }

    /**
     * @throws IllegalArgumentException on an unknown option, a missing value, or an invalid value
     */
    static ZooKeeperServerSettings parse(String[] args) {
        String host = "127.0.0.1";
        int port = 2181;
        Path dataDir = Path.of("zookeeper");
        int tickTimeMs = 2000;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("-h") || option.equals("--help")) {
                throw new IllegalArgumentException("Runs a standalone ZooKeeper server.");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value for " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--host" -> host = value;
                case "--port" -> port = parseInt(option, value);
                case "--data-dir" -> dataDir = Path.of(value);
                case "--tick-time-ms" -> tickTimeMs = parseInt(option, value);
                default -> throw new IllegalArgumentException("Unknown option " + option);
            }
        }
        return new ZooKeeperServerSettings(host, port, dataDir, tickTimeMs);
    }

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + value + "'");
        }
    }
}
