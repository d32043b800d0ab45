package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.TransferException;
import io.hotpot.runtime.apply.Admission;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.apply.SetMember;
import io.hotpot.runtime.security.verify.RolloutVerifier;
import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
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
 * the two from transferring the same bytes twice). A desired artifact whose rollout is still
 * running is left to that rollout's leader, so that its policy decides when this node gets it.
 *
 * <p>An artifact that failed to apply on this node is not retried until the desired state changes
 * or the node restarts: a bundle that cannot resolve here would otherwise be swapped in a loop.
 *
 * <p>A managed bundle uninstalled on this node outside Hotpot ({@code bundle:uninstall}) is drift,
 * not a decision of the cluster: the desired state in ZooKeeper still names it on every node. A
 * pass runs at once (a {@link BundleListener} on {@link BundleEvent#UNINSTALLED}) and installs the
 * desired bytes again from this node's store, with a warning; the other nodes are not touched.
 * Without it the bundle stayed away until some unrelated change of the desired state, and was then
 * put back silently. A removal the cluster decided ({@code hot:undeploy}) is a desired state of its
 * own, "absent": a node that missed it removes the bundle when it converges.
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
    private final Leadership leadership;
    private final ArtifactFetcher fetcher;
    private final RolloutLog rollouts;
    private final RolloutVerifier verifier;
    private final long graceMs;
    private final long settleDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
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
    private final BundleContext context;
    private final BundleListener uninstalls = this::bundleChanged;
    private CuratorCache cache;

    /**
     * @param context    the runtime bundle's context, to hear of bundles uninstalled outside Hotpot
     * @param client     the node's started Curator client
     * @param cluster    the desired and actual state
     * @param nodeId     this node
     * @param store      what this node applied
     * @param applier    the apply pipeline
     * @param leadership who leads, the first source of bytes tried
     * @param fetcher    gets bytes from other nodes, checked by digest
     * @param rollouts   the rollouts, to leave the ones in progress to their leader
     * @param verifier   checks the desired state's signed ticket and the bytes it covers
     * @param graceMs    delay after a change of the desired state, in milliseconds
     */
    public Convergence(BundleContext context, CuratorFramework client, ClusterState cluster, String nodeId, ArtifactStore store,
                       BundleApplier applier, Leadership leadership, ArtifactFetcher fetcher, RolloutLog rollouts,
                       RolloutVerifier verifier, long graceMs) {
        this.context = context;
        this.client = client;
        this.cluster = cluster;
        this.nodeId = nodeId;
        this.store = store;
        this.applier = applier;
        this.leadership = leadership;
        this.fetcher = fetcher;
        this.rollouts = rollouts;
        this.verifier = verifier;
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
        context.addBundleListener(uninstalls);
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
            removeQuietly(uninstalls);
            cache.close();
        }
        thread.shutdownNow();
    }

    private void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        // Hotpot's own uninstall (a failed install undone) forgets the record too: that pass finds nothing to do.
        if (event.getType() == BundleEvent.UNINSTALLED && b.getSymbolicName() != null
                && store.applied(b.getSymbolicName()).isPresent()) {
            trigger(0);
        }
    }

    private void removeQuietly(BundleListener listener) {
        try {
            context.removeBundleListener(listener);
        } catch (IllegalStateException ignored) {
            // The runtime bundle is stopping: the framework drops its listeners itself.
        }
    }

    private void converge() {
        scheduled.set(false);
        if (!client.getZookeeperClient().isConnected()) {
            return;
        }
        boolean retry = false;
        try {
            List<ClusterState.Desired> all = cluster.allDesired();
            // The members of a set the cluster decided go on together, as the set's own rollout applied them.
            java.util.Map<String, List<ClusterState.Desired>> sets = new java.util.LinkedHashMap<>();
            for (ClusterState.Desired d : all) {
                if (!d.absent() && d.ticket().ticket().member()) {
                    sets.computeIfAbsent(d.rolloutId(), id -> new java.util.ArrayList<>()).add(d);
                }
            }
            for (List<ClusterState.Desired> set : sets.values()) {
                retry |= convergeSet(set);
            }
            for (ClusterState.Desired d : all) {
                ArtifactDescriptor a = d.artifact();
                if (!d.absent() && d.ticket().ticket().member()) {
                    continue;
                }
                if (d.absent()) {
                    retry |= removeIfManaged(d);
                    continue;
                }
                if (runs(a) || applier.failedBefore(a)) {
                    continue;
                }
                if (settling(a.symbolicName())) {
                    // After a restart, Felix's start-level thread has not started it yet (it reports
                    // the beginning start level reached before it has): a swap now would find no
                    // state to carry over and could not start the new revision.
                    retry = true;
                    continue;
                }
                if (running(d.rolloutId())) {
                    // Its leader applies it batch by batch and may yet halt it; a new leader
                    // finishes it if that one dies. Converging now would defeat a canary's gate.
                    retry = true;
                    continue;
                }
                // Checked once against the signed ticket: stored bytes here, fetched bytes before
                // they enter the store. A refusal is logged by the verifier and not retried until
                // the desired state changes.
                boolean[] refused = new boolean[1];
                Optional<Path> jar = bytesOf(d, refused);
                if (jar.isEmpty()) {
                    retry |= !refused[0];
                    continue;
                }
                String from = "the desired state of " + a.symbolicName() + " in ZooKeeper";
                if (applier.installed(a.symbolicName()).isEmpty() && store.applied(a.symbolicName())
                        .filter(was -> was.artifact().sha256().equals(a.sha256())).isPresent()) {
                    LOG.warn("Hotpot: node {}: {} was uninstalled on this node outside Hotpot (bundle:uninstall?), "
                            + "but the cluster's desired state names {} on every node: installing it again, without "
                            + "the state it had. A local uninstall does not remove a bundle from the cluster; "
                            + "hot:undeploy {} on the leader does", nodeId, a.symbolicName(), a.coordinates(), a.symbolicName());
                }
                LOG.info("Hotpot: node {} converges {} to {} (rollout {} led by {})", nodeId, a.symbolicName(),
                        a.version(), d.rolloutId(), d.leader());
                // A rollout's applyStored may run meanwhile: the replay check again under the applier's lock.
                SignedRolloutTicket ticket = d.ticket();
                ApplyReport r = applier.apply(d.rolloutId(), a, jar.get(), new Admission(
                        () -> verifier.replayRefusal(ticket, from).map(e -> e.reason() + ": " + e.getMessage()),
                        () -> verifier.admitRunning(ticket)));
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

    /**
     * Applies a set the cluster decided (members of one rollout, as the desired state names them)
     * as one unit, if this node does not run all of it: a node that was down during the set's
     * rollout gets the whole set, never part of it.
     *
     * @return whether to try again later
     */
    private boolean convergeSet(List<ClusterState.Desired> set) throws Exception {
        if (set.stream().allMatch(d -> runs(d.artifact())) || set.stream().anyMatch(d -> applier.failedBefore(d.artifact()))) {
            return false;
        }
        String rolloutId = set.get(0).rolloutId();
        if (set.stream().anyMatch(d -> settling(d.artifact().symbolicName())) || running(rolloutId)) {
            return true;
        }
        List<SetMember> members = new java.util.ArrayList<>();
        for (ClusterState.Desired d : set) {
            boolean[] refused = new boolean[1];
            Optional<Path> jar = bytesOf(d, refused);
            if (jar.isEmpty()) {
                // Bytes refused against the signed ticket are not fetched again until the desired state changes.
                return !refused[0];
            }
            members.add(new SetMember(d.artifact(), jar.get()));
        }
        LOG.info("Hotpot: node {} converges the set of rollout {} led by {}: {}", nodeId, rolloutId, set.get(0).leader(),
                members.stream().map(m -> m.artifact().coordinates()).toList());
        String from = "the desired state of the set of rollout " + rolloutId + " in ZooKeeper";
        List<ApplyReport> reports = applier.applySet(rolloutId, members, new Admission(() -> {
            for (ClusterState.Desired d : set) {
                Optional<String> refused = verifier.replayRefusal(d.ticket(), from).map(e -> e.reason() + ": " + e.getMessage());
                if (refused.isPresent()) {
                    return refused;
                }
            }
            return Optional.empty();
        }, () -> set.forEach(d -> verifier.admitRunning(d.ticket()))));
        reports.forEach(cluster::writeActual);
        return false;
    }

    /**
     * The desired artifact's bytes, checked against its signed ticket: from this node's store, or
     * fetched from the leader or any node that has them.
     *
     * @param refused set to true when the bytes were refused (logged by the verifier)
     * @return the stored file; empty if no node could provide them or they were refused
     */
    private Optional<Path> bytesOf(ClusterState.Desired d, boolean[] refused) {
        ArtifactDescriptor a = d.artifact();
        String from = "the desired state of " + a.symbolicName() + " in ZooKeeper";
        Optional<Path> jar = store.artifact(a.sha256());
        if (jar.isPresent()) {
            try {
                verifier.check(d.ticket(), jar.get(), from);
                return jar;
            } catch (SecurityRefusal e) {
                refused[0] = true;
                return Optional.empty();
            }
        }
        Set<String> preferred = new LinkedHashSet<>();
        leadership.leaderId().ifPresent(preferred::add);
        preferred.add(d.leader());
        return fetcher.fetch(d.rolloutId(), a, preferred, (file, desc, received) -> {
            try {
                verifier.check(d.ticket(), file, from);
            } catch (SecurityRefusal e) {
                throw new TransferException(nodeId + " refused (" + e.reason() + "): " + e.getMessage());
            }
        });
    }

    /**
     * Carries out a removal the cluster decided ({@code hot:undeploy}) on this node, if Hotpot still
     * manages the bundle here: a node that was down, or unreachable, during the removal. A bundle of
     * that name installed here by other means since then is not Hotpot's, and is left alone.
     *
     * @return whether to try again later (the removal's own rollout still runs)
     */
    private boolean removeIfManaged(ClusterState.Desired d) throws Exception {
        ArtifactDescriptor a = d.artifact();
        boolean managed = store.applied(a.symbolicName()).isPresent()
                || applier.installed(a.symbolicName()).filter(BundleApplier.managedIn(store)).isPresent();
        if (!managed) {
            return false;
        }
        if (running(d.rolloutId())) {
            return true;
        }
        String from = "the desired state of " + a.symbolicName() + " in ZooKeeper";
        try {
            verifier.verifyTicket(d.ticket(), from);
        } catch (SecurityRefusal e) {
            return false;
        }
        LOG.info("Hotpot: node {} converges: removes {} (rollout {} led by {} removed it from the cluster)", nodeId,
                a.symbolicName(), d.rolloutId(), d.leader());
        SignedRolloutTicket ticket = d.ticket();
        ApplyReport r = applier.remove(a, new Admission(
                () -> verifier.replayRefusal(ticket, from).map(e -> e.reason() + ": " + e.getMessage()),
                () -> verifier.admitRunning(ticket)));
        cluster.writeActual(r);
        return false;
    }

    /**
     * @return whether the installed bundle is marked started but not ACTIVE yet, within the first
     *         minute after this node started (later, a bundle in that state is broken, and a new
     *         version may be what fixes it)
     */
    private boolean settling(String symbolicName) {
        Optional<Bundle> bundle = applier.installed(symbolicName);
        if (bundle.isEmpty() || bundle.get().getState() == Bundle.ACTIVE || System.nanoTime() > settleDeadline) {
            return false;
        }
        org.osgi.framework.startlevel.BundleStartLevel level =
                bundle.get().adapt(org.osgi.framework.startlevel.BundleStartLevel.class);
        return level != null && level.isPersistentlyStarted();
    }

    private boolean running(String rolloutId) throws Exception {
        return rollouts.read(rolloutId).map(r -> !r.status().finished()).orElse(false);
    }

    private boolean runs(ArtifactDescriptor a) {
        Optional<Bundle> bundle = applier.installed(a.symbolicName());
        Optional<AppliedArtifact> applied = store.applied(a.symbolicName());
        return bundle.isPresent() && bundle.get().getVersion().toString().equals(a.version())
                && applied.isPresent() && applied.get().artifact().sha256().equals(a.sha256());
    }

}
