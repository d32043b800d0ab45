package io.hotpot.runtime.security;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Gives a node that has no cluster credentials its own, the way Erlang creates
 * {@code ~/.erlang.cookie}: if {@code ${karaf.etc}/io.hotpot.security.cfg} does not exist, it is
 * created (mode 600) with a new key pair and ZooKeeper secret, and Karaf's configuration watcher
 * delivers it to the node. The node then runs as a cluster of one, or as the first node of a
 * cluster; the log says to copy the file to the other nodes. {@code hotpot-cluster.sh} writes the
 * file before a node's first start, so this only acts on, e.g., a stock Karaf after
 * {@code feature:install hotpot}.
 *
 * <p>A node never overwrites an existing file: a cluster's credentials are replaced only by the operator.
 */
@Component(immediate = true, service = {})
public final class SecretsBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityLog.LOGGER);

    /** The file every node of a cluster shares. */
    public static final String FILE_NAME = "io.hotpot.security.cfg";

    /** @throws IOException if the file is missing and cannot be created */
    @Activate
    public SecretsBootstrap(BundleContext context) throws IOException {
        String etc = context.getProperty("karaf.etc");
        if (etc == null || etc.isBlank()) {
            LOG.warn("SECURITY: karaf.etc is not set: create the configuration io.hotpot.security yourself"
                    + " (see SECURITY.md); Hotpot does not start without it");
            return;
        }
        SecretsFile file = new SecretsFile(Path.of(etc, FILE_NAME));
        if (file.createIfAbsent(new SecureRandom())) {
            LOG.warn("SECURITY: no cluster credentials were found, so this node generated new ones in {}."
                    + " It is a cluster of its own until every other node of the cluster holds this same file:"
                    + " copy it (mode 600) to their etc/ folders.", file.file());
        }
    }
}
