package io.hotpot.zookeeper.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One standalone ZooKeeper server ({@link ZooKeeperServerEmbedded}) with an explicit lifecycle:
 * {@link State#LATENT} until {@link #start()}, {@link State#STARTED} while serving, {@link State#CLOSED} after
 * {@link #close()} or a failed start. An instance runs at most once; create a new one to run again.
 *
 * <p>Inside Karaf it is a Declarative Services component that exists only while PID {@value #PID} is configured;
 * a configuration change makes SCR close this instance and start a new one. Outside OSGi,
 * {@link StandaloneZooKeeper} uses the same class.
 *
 * <p>Thread safety: {@link #close()} may be called from any thread, also while {@link #start()} is running
 * (e.g. from a shutdown hook); the server is then closed as soon as it is up.
 */
@Component(
        configurationPid = EmbeddedZooKeeperServer.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {},
        immediate = true)
@Designate(ocd = ServerConfiguration.class)
public final class EmbeddedZooKeeperServer implements AutoCloseable {

    /** Configuration PID of the component. */
    public static final String PID = "io.hotpot.zookeeper.server";

    /** How long {@link #start()} waits for the server to accept clients, in milliseconds. */
    public static final long STARTUP_TIMEOUT_MS = 30_000;

    /** Lifecycle states; transitions only go forward. */
    public enum State { LATENT, STARTED, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeperServer.class);

    /** Prefix of the file ZooKeeperServerEmbedded writes into its base directory on every build and never deletes. */
    private static final String GENERATED_CONFIG_PREFIX = "zookeeper.configuration";

    private final ZooKeeperServerSettings settings;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicReference<ZooKeeperServerEmbedded> server = new AtomicReference<>();

    /**
     * Creates a server that does nothing until {@link #start()}.
     *
     * @param settings where to listen and store data
     */
    public EmbeddedZooKeeperServer(ZooKeeperServerSettings settings) {
        this.settings = settings;
    }

    /**
     * Declarative Services constructor.
     *
     * @throws IllegalArgumentException if the configuration is invalid (SCR logs it and leaves the component unsatisfied)
     */
    @Activate
    public EmbeddedZooKeeperServer(ServerConfiguration config) {
        this(ZooKeeperServerSettings.from(config));
    }

    /**
     * Starts the server and returns once it accepts client connections on {@link ZooKeeperServerSettings#connectString()}.
     * Blocks for at most about {@value #STARTUP_TIMEOUT_MS} ms.
     *
     * @throws IllegalStateException if this instance was already started or closed
     * @throws IOException if the port is taken, the data directory cannot be created, or the server did not come up
     *                     in time; the instance is then {@link State#CLOSED}
     */
    @Activate
    public void start() throws IOException {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("Cannot be started more than once (state " + state.get() + ")");
        }
        try {
            Files.createDirectories(settings.dataDir());
            // ZooKeeper would only notice a taken port inside its own thread and then let start() wait for the
            // whole timeout; a probe gives a clear error at once.
            checkPortFree();
            ZooKeeperServerEmbedded started = buildAndStart();
            server.set(started);
            if (state.get() == State.CLOSED) {
                // close() ran while we were starting: it could not see the server yet, so finish its job.
                closeQuietly(server.getAndSet(null));
                return;
            }
            LOG.info("ZooKeeper server listening on {} (data {})", settings.connectString(), settings.dataDir());
        } catch (IOException | RuntimeException e) {
            state.set(State.CLOSED);
            throw e;
        }
    }

    /**
     * Stops the server and waits until its port is released. Idempotent; also valid before {@link #start()},
     * which then can no longer be called. Errors while stopping are logged, not thrown.
     */
    @Deactivate
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.STARTED) {
            ZooKeeperServerEmbedded running = server.getAndSet(null);
            if (running != null) {
                closeQuietly(running);
                LOG.info("ZooKeeper server on {} stopped", settings.connectString());
            }
        }
    }

    /** Current lifecycle state. */
    public State state() {
        return state.get();
    }

    /** The settings this server was created with. */
    public ZooKeeperServerSettings settings() {
        return settings;
    }

    private ZooKeeperServerEmbedded buildAndStart() throws IOException {
        // ZooKeeper 3.9 loads its metrics provider (and more) through the thread context class loader. In OSGi that
        // is whatever the calling SCR / Config Admin thread has, which cannot see ZooKeeper's classes. The server's
        // own thread is created inside start() and inherits the TCCL, so setting it around build + start suffices.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ZooKeeperServerEmbedded.class.getClassLoader());
        ZooKeeperServerEmbedded embedded = null;
        try {
            embedded = ZooKeeperServerEmbedded.builder()
                    .baseDir(settings.dataDir())
                    .configuration(settings.toZooKeeperProperties())
                    // Never System.exit(): inside Karaf that would take the whole node down.
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            deleteGeneratedConfigFiles();
            embedded.start(STARTUP_TIMEOUT_MS);
            return embedded;
        } catch (Exception e) {
            closeQuietly(embedded);
            throw new IOException("ZooKeeper server did not start on " + settings.connectString()
                    + " with data in " + settings.dataDir() + ": " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void checkPortFree() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            // Same option as ZooKeeper's own listener, so a port in TIME_WAIT is not reported as taken.
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(settings.host(), settings.port()));
        } catch (IOException e) {
            throw new IOException("Cannot bind ZooKeeper to " + settings.connectString() + ": " + e.getMessage(), e);
        }
    }

    /** The configuration has been parsed by build(); the generated copy is only clutter from here on. */
    private void deleteGeneratedConfigFiles() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.dataDir(), GENERATED_CONFIG_PREFIX + "*")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.debug("Could not delete ZooKeeper's generated configuration files in {}", settings.dataDir(), e);
        }
    }

    private static void closeQuietly(ZooKeeperServerEmbedded embedded) {
        if (embedded == null) {
            return;
        }
        try {
            embedded.close();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping the ZooKeeper server", e);
        }
    }
}
