package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.util.Collection;

/**
 * Base of the kv:* commands: finds the store they act on, whichever version of it runs now. The
 * lookup is explicit because every node also sees the other nodes' stores, imported through RSA,
 * and may run other bundles' stores, told apart by their {@code kv.store} service property (the
 * Blueprint twins example registers two).
 */
abstract class KvAction implements Action {

    @Reference
    BundleContext context;

    @Option(name = "--store", description = "Act on the store whose kv.store service property has this value (default: the KV store bundle's, which has none)")
    String storeName;

    /** @return this node's store */
    KeyValueStore store() {
        return store(null);
    }

    /**
     * @param node a node id, or null for this node
     * @return that node's store: the local one, or the one imported from that node
     * @throws IllegalStateException if there is none after 10 s: the RSA topology manager imports a
     *                               remote service only once a lookup shows interest in it
     */
    KeyValueStore store(String node) {
        String named = storeName == null ? "(!(kv.store=*))" : "(kv.store=" + storeName + ")";
        String filter = node == null ? "(&(!(service.imported=*))" + named + ")"
                : "(&(service.imported=*)(hotpot.node.id=" + node + ")" + named + ")";
        long deadline = System.nanoTime() + 10_000_000_000L;
        try {
            while (true) {
                Collection<ServiceReference<KeyValueStore>> refs = context.getServiceReferences(KeyValueStore.class, filter);
                if (!refs.isEmpty()) {
                    return context.getService(refs.iterator().next());
                }
                if (node == null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("no KeyValueStore service matches " + filter);
                }
                Thread.sleep(100);
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for " + filter, e);
        }
    }
}
