package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.NodeView;
import io.hotpot.api.cluster.RolloutResult;
import io.hotpot.api.cluster.Trigger;
import io.hotpot.runtime.NodeSettings;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.follower.FollowerEndpoint;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.ChunkedPusher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's {@link ClusterAdmin}: runs rollouts when this node leads, and gathers the cluster's
 * view for the console.
 *
 * <p>A rollout records the desired state in ZooKeeper, stages the bytes on every follower (every
 * member registered in ZooKeeper, and every node whose endpoint RSA imported, in parallel), applies
 * them on the leader, and then on every follower. If they do not apply on the leader, no follower
 * applies them and the desired state goes back to what it was.
 *
 * <p>Thread-safe; rollouts are serialized.
 */
public final class ClusterService implements ClusterAdmin, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterService.class);
    private static final DateTimeFormatter ROLLOUT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final NodeSettings settings;
    private final BundleContext context;
    private final Leadership leadership;
    private final Membership membership;
    private final FollowerDirectory directory;
    private final FollowerEndpoint local;
    private final BundleApplier applier;
    private final ArtifactStore store;
    private final ArtifactInspector inspector;
    private final ChunkedPusher pusher;
    private final ClusterState state;
    private final io.hotpot.runtime.apply.FaultPoints faults;
    private final RolloutHistory history = new RolloutHistory(100);
    private final ReentrantLock rolloutLock = new ReentrantLock();
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hotpot-cluster-call");
        t.setDaemon(true);
        return t;
    });

    /** Wires the parts; starts nothing. */
    public ClusterService(NodeSettings settings, BundleContext context, Leadership leadership, Membership membership,
                          FollowerDirectory directory, FollowerEndpoint local, BundleApplier applier,
                          ArtifactStore store, ArtifactInspector inspector, ChunkedPusher pusher,
                          ClusterState state, io.hotpot.runtime.apply.FaultPoints faults) {
        this.settings = settings;
        this.context = context;
        this.leadership = leadership;
        this.membership = membership;
        this.directory = directory;
        this.local = local;
        this.applier = applier;
        this.store = store;
        this.inspector = inspector;
        this.pusher = pusher;
        this.state = state;
        this.faults = faults;
    }

    @Override
    public String localNodeId() {
        return settings.nodeId();
    }

    @Override
    public Optional<String> leaderId() {
        return leadership.leaderId();
    }

    @Override
    public List<NodeView> nodes() {
        Optional<String> leader = leadership.leaderId();
        Map<String, Future<NodeView>> views = new LinkedHashMap<>();
        for (String id : knownNodes(true)) {
            boolean leads = leader.map(id::equals).orElse(false);
            if (id.equals(settings.nodeId())) {
                views.put(id, calls.submit(() -> new NodeView(id, leads, true, null, 0, local.status(), null)));
                continue;
            }
            Optional<FollowerDirectory.Endpoint> endpoint = directory.find(id);
            if (endpoint.isEmpty()) {
                views.put(id, java.util.concurrent.CompletableFuture.completedFuture(new NodeView(id, leads, false, null,
                        directory.msSinceSeen(id), null, "no FollowerService endpoint imported (RSA discovery)")));
                continue;
            }
            views.put(id, calls.submit(() -> {
                NodeStatus status = endpoint.get().service().status();
                directory.seen(id);
                return new NodeView(id, leads, false, endpoint.get().endpointId(), 0, status, null);
            }));
        }
        List<NodeView> result = new ArrayList<>();
        for (Map.Entry<String, Future<NodeView>> e : views.entrySet()) {
            String id = e.getKey();
            try {
                result.add(e.getValue().get(settings.callTimeoutMs(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException | ExecutionException ex) {
                e.getValue().cancel(true);
                String why = ex instanceof TimeoutException ? "no answer within call.timeout.ms=" + settings.callTimeoutMs()
                        : String.valueOf(ex.getCause());
                result.add(new NodeView(id, leader.map(id::equals).orElse(false), false,
                        directory.find(id).map(FollowerDirectory.Endpoint::endpointId).orElse(null),
                        directory.msSinceSeen(id), null, why));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return result;
    }

    @Override
    public RolloutResult distribute(String url, Trigger trigger) throws ClusterException {
        requireLeader(url);
        String name = displayName(url);
        Path staged;
        try (InputStream in = new URL(url).openStream()) {
            staged = store.stage(in, settings.artifactMaxBytes());
        } catch (IOException | RuntimeException e) {
            throw new ClusterException(settings.nodeId() + ": cannot read " + name + ": " + e.getMessage(), e);
        }
        ArtifactDescriptor artifact;
        try {
            artifact = inspector.inspect(staged, name);
        } catch (InvalidArtifactException | IOException e) {
            deleteQuietly(staged);
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
        try {
            return rollout(name, artifact, store.commit(staged, artifact.sha256()), trigger);
        } catch (IOException e) {
            throw new ClusterException(settings.nodeId() + ": cannot store " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RolloutResult distributeBundle(long bundleId) throws ClusterException {
        Bundle bundle = context.getBundle(bundleId);
        if (bundle == null) {
            throw new ClusterException(settings.nodeId() + ": no bundle with id " + bundleId);
        }
        requireLeader(bundle.getSymbolicName());
        try {
            Path jar = applier.currentBytes(bundle);
            return rollout(bundle.getLocation(), inspector.inspect(jar, bundle.getLocation()), jar, Trigger.CONSOLE);
        } catch (IOException | InvalidArtifactException e) {
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RolloutResult rollback(String symbolicName, String version) throws ClusterException {
        requireLeader(symbolicName);
        List<ArtifactDescriptor> kept = store.kept(symbolicName);
        if (kept.isEmpty()) {
            throw new ClusterException(settings.nodeId() + " kept no version of " + symbolicName);
        }
        String current = applier.installed(symbolicName).map(b -> b.getVersion().toString()).orElse(null);
        Optional<ArtifactDescriptor> target = version == null
                ? kept.stream().filter(a -> !a.version().equals(current)).findFirst()
                : kept.stream().filter(a -> a.version().equals(version)).findFirst();
        if (target.isEmpty()) {
            throw new ClusterException(settings.nodeId() + " kept no " + (version == null ? "earlier version" : "version "
                    + version) + " of " + symbolicName + "; kept: "
                    + kept.stream().map(ArtifactDescriptor::version).distinct().toList());
        }
        Path jar = store.artifact(target.get().sha256()).orElseThrow(
                () -> new ClusterException(settings.nodeId() + " lost the bytes of " + target.get().coordinates()));
        return rollout("rollback of " + symbolicName + " to " + target.get().version(), target.get(), jar, Trigger.ROLLBACK);
    }

    @Override
    public List<ArtifactDescriptor> kept(String symbolicName) {
        return store.kept(symbolicName);
    }

    @Override
    public Map<String, ArtifactDescriptor> desired() {
        Map<String, ArtifactDescriptor> desired = new java.util.TreeMap<>();
        try {
            if (state.connected()) {
                state.allDesired().forEach(d -> desired.put(d.artifact().symbolicName(), d.artifact()));
            }
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot read the desired state: {}", e.toString());
        }
        return desired;
    }

    @Override
    public List<RolloutResult> history() {
        return history.list();
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }

    private RolloutResult rollout(String source, ArtifactDescriptor artifact, Path jar, Trigger trigger) {
        rolloutLock.lock();
        try {
            String rolloutId = "r-" + LocalDateTime.now().format(ROLLOUT_TIME) + "-"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
            long startedAt = System.currentTimeMillis();
            long start = System.nanoTime();
            LOG.info("Hotpot: rollout {} of {} (sha256 {}, {} bytes) from {} by {}", rolloutId, artifact.coordinates(),
                    artifact.shortDigest(), artifact.size(), source, trigger);
            List<ApplyReport> reports = new ArrayList<>();
            // The decision is recorded before any node is touched: a node that misses the push converges to it.
            Optional<ClusterState.Desired> previous;
            try {
                if (!state.connected()) {
                    throw new IllegalStateException("not connected to ZooKeeper");
                }
                previous = state.desired(artifact.symbolicName());
                state.writeDesired(new ClusterState.Desired(artifact, rolloutId, settings.nodeId(), startedAt));
            } catch (Exception e) {
                reports.add(ApplyReport.unreachable(settings.nodeId(), artifact, ApplyPhase.CONNECT,
                        "cannot record the desired state in ZooKeeper, nothing changed: " + e, 0));
                return record(rolloutId, source, artifact, trigger, reports, startedAt, start);
            }
            // Every follower holds the bytes before any node is touched: if this leader dies now,
            // each of them can still converge to the desired state from its own copy.
            Map<String, ApplyReport> staging = stageOnFollowers(rolloutId, artifact, jar);
            try {
                faults.reach("BEFORE_APPLY");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ApplyReport own = applier.apply(rolloutId, artifact, jar);
            state.writeActual(own);
            reports.add(own);
            if (own.outcome().succeeded()) {
                reports.addAll(applyOnFollowers(rolloutId, artifact, staging));
            } else {
                LOG.error("Hotpot: rollout {} stopped on the leader {}; no follower was touched", rolloutId, settings.nodeId());
                try {
                    state.restoreDesired(artifact.symbolicName(), previous);
                } catch (Exception e) {
                    LOG.error("Hotpot: cannot restore the desired state of {} after rollout {}", artifact.symbolicName(),
                            rolloutId, e);
                }
            }
            return record(rolloutId, source, artifact, trigger, reports, startedAt, start);
        } finally {
            rolloutLock.unlock();
        }
    }

    private RolloutResult record(String rolloutId, String source, ArtifactDescriptor artifact, Trigger trigger,
                                 List<ApplyReport> reports, long startedAt, long start) {
        RolloutResult result = new RolloutResult(rolloutId, source, artifact, trigger, reports, startedAt,
                (System.nanoTime() - start) / 1_000_000);
        history.add(result);
        long ok = reports.stream().filter(r -> r.outcome().succeeded()).count();
        LOG.info("Hotpot: rollout {} of {} finished: {}/{} nodes run it, {} ms", rolloutId, artifact.coordinates(),
                ok, reports.size(), result.durationMs());
        return result;
    }

    /** @return per follower, null once staged, else the report of why not */
    private Map<String, ApplyReport> stageOnFollowers(String rolloutId, ArtifactDescriptor artifact, Path jar) {
        Map<String, Future<ApplyReport>> stagings = new LinkedHashMap<>();
        for (String id : knownNodes(false)) {
            stagings.put(id, calls.submit(() -> {
                Optional<FollowerDirectory.Endpoint> endpoint = directory.await(id, settings.endpointWaitMs());
                if (endpoint.isEmpty()) {
                    return ApplyReport.unreachable(id, artifact, ApplyPhase.CONNECT, id
                            + " is a cluster member in ZooKeeper but its FollowerService endpoint was not imported within "
                            + settings.endpointWaitMs() + " ms; it keeps its old version", settings.endpointWaitMs());
                }
                ApplyReport failure = pusher.stage(id, endpoint.get().service(), rolloutId, artifact, jar).orElse(null);
                if (failure == null || failure.failedPhase() != ApplyPhase.CONNECT) {
                    directory.seen(id);
                }
                return failure;
            }));
        }
        Map<String, ApplyReport> result = new LinkedHashMap<>();
        collect(stagings, artifact, "stage").forEach(result::put);
        return result;
    }

    private List<ApplyReport> applyOnFollowers(String rolloutId, ArtifactDescriptor artifact,
                                               Map<String, ApplyReport> staging) {
        Map<String, Future<ApplyReport>> applies = new LinkedHashMap<>();
        for (Map.Entry<String, ApplyReport> e : staging.entrySet()) {
            String id = e.getKey();
            if (e.getValue() != null) {
                applies.put(id, java.util.concurrent.CompletableFuture.completedFuture(e.getValue()));
                continue;
            }
            applies.put(id, calls.submit(() -> {
                long start = System.nanoTime();
                Optional<FollowerDirectory.Endpoint> endpoint = directory.find(id);
                try {
                    if (endpoint.isEmpty()) {
                        throw new IllegalStateException("its endpoint went away after staging");
                    }
                    ApplyReport r = endpoint.get().service().applyStored(rolloutId, artifact);
                    directory.seen(id);
                    return r;
                } catch (Exception x) {
                    return ApplyReport.unreachable(id, artifact, ApplyPhase.CONNECT, "apply of " + artifact.coordinates()
                            + " on " + id + " failed: " + x, (System.nanoTime() - start) / 1_000_000);
                }
            }));
        }
        List<ApplyReport> reports = new ArrayList<>(collect(applies, artifact, "apply").values());
        for (ApplyReport r : reports) {
            if (!r.outcome().succeeded()) {
                LOG.error("Hotpot: rollout {}: {} {} on node {} [{}]: {}", rolloutId, r.outcome(),
                        artifact.coordinates(), r.nodeId(), r.failedPhase(), r.message());
            }
        }
        return reports;
    }

    /** Waits for every future within apply.timeout.ms; a late or failed one becomes a FAILED report. */
    private Map<String, ApplyReport> collect(Map<String, Future<ApplyReport>> futures, ArtifactDescriptor artifact,
                                             String what) {
        Map<String, ApplyReport> reports = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.applyTimeoutMs());
        for (Map.Entry<String, Future<ApplyReport>> e : futures.entrySet()) {
            try {
                reports.put(e.getKey(), e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException | InterruptedException ex) {
                e.getValue().cancel(true);
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                reports.put(e.getKey(), ApplyReport.unreachable(e.getKey(), artifact, ApplyPhase.CONNECT, e.getKey()
                        + " did not " + what + " " + artifact.coordinates() + " within apply.timeout.ms="
                        + settings.applyTimeoutMs() + ": " + ex, settings.applyTimeoutMs()));
            }
        }
        return reports;
    }

    /** Members in ZooKeeper plus imported endpoints: a node visible either way is part of the rollout. */
    private Set<String> knownNodes(boolean includeSelf) {
        Set<String> ids = new TreeSet<>(directory.nodeIds());
        try {
            ids.addAll(membership.members());
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot list members in ZooKeeper ({}); using the imported endpoints only", e.toString());
        }
        if (includeSelf) {
            ids.add(settings.nodeId());
        } else {
            ids.remove(settings.nodeId());
        }
        return ids;
    }

    private void requireLeader(String what) throws ClusterException {
        if (!leadership.isLeader()) {
            throw new ClusterException(settings.nodeId() + " is not the leader (the leader is "
                    + leadership.leaderId().orElse("unknown: no ZooKeeper quorum") + "); distribute " + what + " there");
        }
    }

    private static String displayName(String url) {
        if (url.startsWith("file:")) {
            try {
                return Path.of(URI.create(url)).toString();
            } catch (RuntimeException e) {
                return url;
            }
        }
        return url;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover staging file is only disk space.
        }
    }
}
