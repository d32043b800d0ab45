package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.TransferException;
import io.hotpot.api.TransferTicket;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.InboundTransfers;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes this node run what the cluster decided: compares the desired state in ZooKeeper with the
 * bundles the node runs, and applies what it misses, through the same pipeline as a push (gate,
 * migration, rollback), with bytes fetched from the leader or any node that has them and checked by
 * digest. Runs when the node starts, when its ZooKeeper session is (re)established, and shortly
 * after the desired state changes (the leader's push normally gets there first; the delay keeps
 * the two from transferring the same bytes twice).
 *
 * <p>An artifact that failed to apply on this node is not retried until the desired state changes
 * or the node restarts: a bundle that cannot resolve here would otherwise be swapped in a loop.
 *
 * <p>Thread-safe; convergence runs on one thread. Lifecycle LATENT → STARTED → CLOSED.
 */
public final class Convergence implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Convergence.class);

    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.LATENT);
    private final CuratorFramework client;
    private final ClusterState cluster;
    private final String nodeId;
    private final ArtifactStore store;
    private final BundleApplier applier;
    private final FollowerDirectory directory;
    private final Leadership leadership;
    private final InboundTransfers transfers;
    private final int chunkSize;
    private final long graceMs;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hotpot-convergence");
        t.setDaemon(true);
        return t;
    });
    private final ConnectionStateListener connection = (c, s) -> {
        if (s == ConnectionState.CONNECTED || s == ConnectionState.RECONNECTED) {
            trigger(0);
        }
    };
    private CuratorCache cache;

    /**
     * @param client     the node's started Curator client
     * @param cluster    the desired and actual state
     * @param nodeId     this node
     * @param store      what this node applied
     * @param applier    the apply pipeline
     * @param directory  the other nodes' endpoints, to fetch bytes from
     * @param leadership who leads, the first source tried
     * @param transfers  staging and digest check of fetched bytes
     * @param chunkSize  bytes per fetch call
     * @param graceMs    delay after a change of the desired state, in milliseconds
     */
    public Convergence(CuratorFramework client, ClusterState cluster, String nodeId, ArtifactStore store,
                       BundleApplier applier, FollowerDirectory directory, Leadership leadership,
                       InboundTransfers transfers, int chunkSize, long graceMs) {
        this.client = client;
        this.cluster = cluster;
        this.nodeId = nodeId;
        this.store = store;
        this.applier = applier;
        this.directory = directory;
        this.leadership = leadership;
        this.transfers = transfers;
        this.chunkSize = chunkSize;
        this.graceMs = graceMs;
    }

    /**
     * Watches the desired state and converges once now. Returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        cache = CuratorCache.build(client, cluster.desiredPath());
        cache.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> trigger(graceMs)).build());
        cache.start();
        client.getConnectionStateListenable().addListener(connection);
        trigger(0);
    }

    /** Asks for a convergence pass after the given delay; passes already asked for absorb it. */
    public void trigger(long delayMs) {
        if (state.get() == Lifecycle.STARTED && scheduled.compareAndSet(false, true)) {
            thread.schedule(this::converge, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        if (state.getAndSet(Lifecycle.CLOSED) == Lifecycle.STARTED) {
            client.getConnectionStateListenable().removeListener(connection);
            cache.close();
        }
        thread.shutdownNow();
    }

    private void converge() {
        scheduled.set(false);
        if (!client.getZookeeperClient().isConnected()) {
            return;
        }
        boolean retry = false;
        try {
            for (ClusterState.Desired d : cluster.allDesired()) {
                ArtifactDescriptor a = d.artifact();
                if (runs(a) || applier.failedBefore(a)) {
                    continue;
                }
                Optional<Path> jar = fetch(d);
                if (jar.isEmpty()) {
                    retry = true;
                    continue;
                }
                LOG.info("Hotpot: node {} converges {} to {} (rollout {} led by {})", nodeId, a.symbolicName(),
                        a.version(), d.rolloutId(), d.leader());
                ApplyReport r = applier.apply(d.rolloutId(), a, jar.get());
                cluster.writeActual(r);
            }
        } catch (Exception e) {
            LOG.warn("Hotpot: convergence of node {} interrupted: {}", nodeId, e.toString());
            retry = true;
        }
        if (retry) {
            trigger(5_000);
        }
    }

    private boolean runs(ArtifactDescriptor a) {
        Optional<Bundle> bundle = applier.installed(a.symbolicName());
        Optional<AppliedArtifact> applied = store.applied(a.symbolicName());
        return bundle.isPresent() && bundle.get().getVersion().toString().equals(a.version())
                && applied.isPresent() && applied.get().artifact().sha256().equals(a.sha256());
    }

    /** The bytes from this node's store, else from the leader, else from any other node. */
    private Optional<Path> fetch(ClusterState.Desired d) {
        ArtifactDescriptor a = d.artifact();
        Optional<Path> local = store.artifact(a.sha256());
        if (local.isPresent()) {
            return local;
        }
        Set<String> sources = new LinkedHashSet<>();
        leadership.leaderId().ifPresent(sources::add);
        sources.add(d.leader());
        sources.addAll(directory.nodeIds());
        sources.remove(nodeId);
        List<String> failures = new ArrayList<>();
        for (String source : sources) {
            Optional<FollowerDirectory.Endpoint> endpoint = directory.find(source);
            if (endpoint.isEmpty()) {
                continue;
            }
            String transferId = null;
            try {
                TransferTicket ticket = transfers.begin(d.rolloutId(), a);
                transferId = ticket.transferId();
                for (long offset = ticket.resumeOffset(); offset < a.size(); ) {
                    byte[] chunk = endpoint.get().service().readChunk(a.sha256(), offset,
                            (int) Math.min(chunkSize, a.size() - offset));
                    if (chunk.length == 0) {
                        throw new TransferException(source + " returned no bytes at offset " + offset);
                    }
                    transfers.write(transferId, offset, chunk);
                    offset += chunk.length;
                }
                return Optional.of(transfers.complete(transferId).file());
            } catch (Exception e) {
                if (transferId != null) {
                    transfers.abort(transferId);
                }
                failures.add(source + ": " + e.getMessage());
            }
        }
        LOG.warn("Hotpot: node {} cannot fetch {} sha256 {} from any node yet: {}", nodeId, a.coordinates(),
                a.shortDigest(), failures.isEmpty() ? "no endpoint imported" : failures);
        return Optional.empty();
    }
}
