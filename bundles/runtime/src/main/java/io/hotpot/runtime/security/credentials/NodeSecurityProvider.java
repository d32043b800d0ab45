package io.hotpot.runtime.security.credentials;

import io.hotpot.runtime.security.SecurityLog;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * Registers the node's {@link NodeSecurity} service from the cluster's credentials file, and again
 * each time that file changes ({@link CredentialsWatch}), so that the node restarts on the new
 * values; the bounds on remote input come from PID {@code io.hotpot.security}, whose change
 * re-creates this component. The secrets never pass through Configuration Admin: its store under
 * {@code data/} has default permissions, and Karaf's configuration MBean lists any PID's
 * properties to the {@code viewer} role (issue 11 item 5).
 *
 * <p>A node that has no credentials file gets its own, the way Erlang creates
 * {@code ~/.erlang.cookie}: a new key pair and ZooKeeper secret, mode 600. It then runs as a
 * cluster of one, or as the first node of a cluster; the log says to copy the file to the other
 * nodes. {@code hotpot-cluster.sh} writes the file before a node's first start. A node never
 * overwrites an existing file.
 *
 * <p>Thread-safe: registrations are swapped under this object's lock.
 */
@Component(configurationPid = "io.hotpot.security", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true, service = {})
@Designate(ocd = SecurityConfiguration.class)
public final class NodeSecurityProvider {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityLog.LOGGER);

    /** How often the credentials file is looked at, in milliseconds. */
    static final long POLL_MS = 2_000;

    /** Keys that held the secrets in {@code io.hotpot.security} before they got a file of their own. */
    private static final List<String> SECRET_KEYS = List.of(ClusterSecrets.SIGNING_KEY, ClusterSecrets.TRUSTED_KEYS,
            ClusterSecrets.ZOOKEEPER_AUTH);

    private final BundleContext context;
    private final SecurityConfiguration config;
    private final SecurityLog log;
    private final CredentialsWatch watch;
    private ServiceRegistration<NodeSecurity> registration;
    private ClusterSecrets current;

    /**
     * @throws IllegalArgumentException if {@code io.hotpot.security} still holds a secret (it must
     *                                  move to the credentials file), naming the keys, not the values
     * @throws IOException              if the file is missing and cannot be created
     */
    @Activate
    public NodeSecurityProvider(BundleContext context, SecurityConfiguration config, Map<String, Object> properties)
            throws IOException {
        this.context = context;
        this.config = config;
        this.log = new SecurityLog(String.valueOf(context.getProperty("karaf.name")));
        SecretsFile file = file(config, context);
        List<String> held = SECRET_KEYS.stream().filter(properties::containsKey).toList();
        if (!held.isEmpty()) {
            throw new IllegalArgumentException("io.hotpot.security holds " + held + ": the cluster's secrets no longer"
                    + " belong in Configuration Admin, which copies them under data/ and shows them to the viewer role"
                    + " through JMX. Move them to " + file.file() + " (mode 600) and delete them from"
                    + " etc/io.hotpot.security.cfg (see SECURITY.md)");
        }
        if (file.createIfAbsent(new SecureRandom())) {
            LOG.warn("SECURITY: no cluster credentials were found, so this node generated new ones in {}."
                    + " It is a cluster of its own until every other node of the cluster holds this same file:"
                    + " copy it (mode 600) to their etc/ folders.", file.file());
        }
        this.watch = new CredentialsWatch(file, POLL_MS, this::publish, log);
        watch.start();
    }

    private static SecretsFile file(SecurityConfiguration config, BundleContext context) {
        if (!config.credentials_file().isBlank()) {
            return new SecretsFile(Path.of(config.credentials_file().trim()));
        }
        String etc = context.getProperty("karaf.etc");
        return new SecretsFile(Path.of(etc == null || etc.isBlank() ? "etc" : etc, SecretsFile.FILE_NAME));
    }

    /** Registers the new credentials' service before the old one goes, so the node restarts once. */
    private synchronized void publish(CredentialsWatch.Credentials credentials) {
        if (credentials.secrets().equals(current)) {
            // The same secrets (a file refused for its mode, then chmod 600): nothing to restart for.
            return;
        }
        NodeSecurity security;
        try {
            security = new NodeSecurity(SecuritySettings.from(config, credentials.secrets()));
        } catch (IllegalArgumentException e) {
            log.weakness("cannot use io.hotpot.security with the credentials of " + SecretsFile.FILE_NAME + ": "
                    + e.getMessage());
            return;
        }
        ServiceRegistration<NodeSecurity> old = registration;
        registration = context.registerService(NodeSecurity.class, security, null);
        current = credentials.secrets();
        if (old != null) {
            log.notice("the credentials file changed (sha256 " + credentials.sha256().substring(0, 12)
                    + "): the node restarts on them");
            unregisterQuietly(old);
        }
    }

    @Deactivate
    synchronized void deactivate() {
        watch.close();
        if (registration != null) {
            unregisterQuietly(registration);
            registration = null;
        }
    }

    private static void unregisterQuietly(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The bundle is stopping: the framework unregistered it.
        }
    }
}
