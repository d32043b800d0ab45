package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyPreview;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.ClusterException;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.NodeView;
import io.hotpot.api.cluster.RolloutListener;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.api.cluster.Trigger;
import io.hotpot.runtime.NodeSettings;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.apply.FaultPoints;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.follower.FollowerEndpoint;
import io.hotpot.runtime.security.ticket.TicketIssuer;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.transfer.ChunkedPusher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's {@link ClusterAdmin}: starts rollouts when this node leads, finishes the rollouts a
 * dead leader left running when this node is elected, and gathers the cluster's view for the
 * console.
 *
 * <p>A rollout is recorded in ZooKeeper, with the desired state, before any node is touched; the
 * {@link RolloutExecutor} then runs it through its {@link RolloutPlan}.
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
    private final ClusterState state;
    private final RolloutLog log;
    private final RolloutControls controls;
    private final ArtifactFetcher fetcher;
    private final TicketIssuer issuer;
    private final RolloutExecutor executor;
    private final ReentrantLock rolloutLock = new ReentrantLock();
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hotpot-cluster-call");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService takeover = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hotpot-takeover");
        t.setDaemon(true);
        return t;
    });

    /** Wires the parts; starts nothing. */
    public ClusterService(NodeSettings settings, BundleContext context, Leadership leadership, Membership membership,
                          FollowerDirectory directory, FollowerEndpoint local, BundleApplier applier,
                          ArtifactStore store, ArtifactInspector inspector, ChunkedPusher pusher,
                          ClusterState state, RolloutLog log, RolloutControls controls, ArtifactFetcher fetcher,
                          TicketIssuer issuer, FaultPoints faults) {
        this.settings = settings;
        this.context = context;
        this.leadership = leadership;
        this.membership = membership;
        this.directory = directory;
        this.local = local;
        this.applier = applier;
        this.store = store;
        this.inspector = inspector;
        this.state = state;
        this.log = log;
        this.fetcher = fetcher;
        this.issuer = issuer;
        this.controls = controls;
        this.executor = new RolloutExecutor(settings.nodeId(), leadership, membership::members, directory, local, issuer,
                pusher, state, log, controls, fetcher, faults, settings.endpointWaitMs(), settings.applyTimeoutMs());
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
        for (String id : knownNodes()) {
            boolean leads = leader.map(id::equals).orElse(false);
            if (id.equals(settings.nodeId())) {
                views.put(id, calls.submit(() -> new NodeView(id, leads, true, null, 0, local.status(), null)));
                continue;
            }
            Optional<FollowerDirectory.Endpoint> endpoint = directory.find(id);
            if (endpoint.isEmpty()) {
                views.put(id, CompletableFuture.completedFuture(new NodeView(id, leads, false, null,
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
    public RolloutRecord distribute(String url, Trigger trigger, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException {
        requireLeader(url);
        Read read = read(url);
        return start(read.name(), read.artifact(), keep(read), trigger, policy, listener);
    }

    /** Bytes read from a URL into the staging area, and what they are; not kept yet. */
    private record Read(String name, ArtifactDescriptor artifact, Path staged) {
    }

    /** @throws ClusterException if the bytes cannot be read or are not a bundle (nothing is kept then) */
    private Read read(String url) throws ClusterException {
        String name = displayName(url);
        Path staged = stage(url, name);
        try {
            return new Read(name, inspector.inspect(staged, name), staged);
        } catch (InvalidArtifactException | IOException e) {
            deleteQuietly(staged);
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
    }

    /** @return the bytes, kept in the store under their digest */
    private Path keep(Read read) throws ClusterException {
        try {
            return store.commit(read.staged(), read.artifact().sha256());
        } catch (IOException e) {
            throw new ClusterException(settings.nodeId() + ": cannot store " + read.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RolloutRecord distributeSet(List<String> urls, Trigger trigger, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException {
        if (urls.size() < 2) {
            throw new ClusterException(settings.nodeId() + ": a set has at least two artifacts, got " + urls.size());
        }
        requireLeader("a set of " + urls.size());
        List<ArtifactDescriptor> artifacts = new ArrayList<>();
        List<Path> jars = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String url : urls) {
            Read read = read(url);
            ArtifactDescriptor artifact = read.artifact();
            for (ArtifactDescriptor other : artifacts) {
                if (other.symbolicName().equals(artifact.symbolicName())) {
                    deleteQuietly(read.staged());
                    throw new ClusterException(settings.nodeId() + ": the set names " + artifact.symbolicName()
                            + " twice (" + other.version() + " and " + artifact.version() + "); nothing changed");
                }
            }
            jars.add(keep(read));
            artifacts.add(artifact);
            names.add(read.name());
        }
        return startSet(String.join(" ", names), artifacts, jars, trigger, policy, listener);
    }

    @Override
    public RolloutRecord distributeBundle(long bundleId, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException {
        Bundle bundle = context.getBundle(bundleId);
        if (bundle == null) {
            throw new ClusterException(settings.nodeId() + ": no bundle with id " + bundleId);
        }
        requireLeader(bundle.getSymbolicName());
        ArtifactDescriptor artifact;
        Path jar;
        try {
            jar = applier.currentBytes(bundle);
            artifact = inspector.inspect(jar, bundle.getLocation());
        } catch (IOException | InvalidArtifactException e) {
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
        return start(bundle.getLocation(), artifact, jar, Trigger.CONSOLE, policy, listener);
    }

    @Override
    public RolloutRecord rollback(String symbolicName, String version, RolloutListener listener) throws ClusterException {
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
        return start("rollback of " + symbolicName + " to " + target.get().version(), target.get(), jar,
                Trigger.ROLLBACK, RolloutPolicy.ALL, listener);
    }

    @Override
    public RolloutRecord undeploy(String symbolicName, RolloutPolicy policy, RolloutListener listener)
            throws ClusterException {
        ClusterState.Desired desired = undeployable(symbolicName);
        ArtifactDescriptor artifact = desired.artifact();
        // The bytes go with the removal: a node that never had them can still check the ticket, and a
        // halted removal returns the nodes that already removed the bundle to these very bytes.
        Path jar = store.artifact(artifact.sha256())
                .or(() -> fetcher.fetch(desired.rolloutId(), artifact, List.of(desired.leader())))
                .orElseThrow(() -> new ClusterException(settings.nodeId() + ": no reachable node holds the bytes of "
                        + artifact.coordinates() + " sha256 " + artifact.shortDigest() + ", which a halted removal would "
                        + "return to; nothing changed"));
        return start("undeploy of " + symbolicName, artifact, jar, Trigger.UNDEPLOY, policy, listener);
    }

    /** @return the desired state of a bundle the cluster runs, which {@code hot:undeploy} may remove */
    private ClusterState.Desired undeployable(String symbolicName) throws ClusterException {
        requireLeader(symbolicName);
        ClusterState.Desired desired;
        try {
            desired = state.desired(symbolicName).orElse(null);
        } catch (Exception e) {
            throw new ClusterException(settings.nodeId() + ": cannot read the desired state of " + symbolicName
                    + " from ZooKeeper, nothing changed: " + e, e);
        }
        if (desired == null || desired.absent()) {
            throw new ClusterException(settings.nodeId() + ": " + symbolicName + (desired == null
                    ? " is not a bundle Hotpot distributed (the desired state names no such symbolic name; hot:status -d "
                    + "lists what it names), nothing changed" : " was removed from the cluster already by rollout "
                    + desired.rolloutId() + ", nothing changed"));
        }
        return desired;
    }

    @Override
    public List<ApplyPreview> preview(String url) throws ClusterException {
        requireLeader(url);
        String name = displayName(url);
        Path staged = stage(url, name);
        try {
            return previewOnAll(inspector.inspect(staged, name), staged, false);
        } catch (InvalidArtifactException | IOException e) {
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        } finally {
            // A dry run keeps nothing.
            deleteQuietly(staged);
        }
    }

    @Override
    public List<ApplyPreview> previewBundle(long bundleId) throws ClusterException {
        Bundle bundle = context.getBundle(bundleId);
        if (bundle == null) {
            throw new ClusterException(settings.nodeId() + ": no bundle with id " + bundleId);
        }
        requireLeader(bundle.getSymbolicName());
        try {
            Path jar = applier.currentBytes(bundle);
            return previewOnAll(inspector.inspect(jar, bundle.getLocation()), jar, false);
        } catch (IOException | InvalidArtifactException e) {
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<ApplyPreview> previewUndeploy(String symbolicName) throws ClusterException {
        return previewOnAll(undeployable(symbolicName).artifact(), null, true);
    }

    /**
     * Asks every known node, the leader included, what the rollout would do, under a ticket signed
     * for the dry run alone: its rollout is recorded nowhere, so no node would apply it.
     *
     * @param jar the bytes, for their manifest; null for a removal
     */
    private List<ApplyPreview> previewOnAll(ArtifactDescriptor artifact, Path jar, boolean removal)
            throws ClusterException {
        byte[] manifest = null;
        SignedRolloutTicket ticket;
        try {
            if (jar != null) {
                try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile());
                     java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
                    file.getManifest().write(out);
                    manifest = out.toByteArray();
                }
            }
            String id = "r-dryrun-" + LocalDateTime.now().format(ROLLOUT_TIME) + "-"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
            ticket = removal ? issuer.issueRemoval(id, artifact) : issuer.issue(id, artifact, stepBack(artifact, Trigger.CONSOLE));
        } catch (Exception e) {
            throw new ClusterException(settings.nodeId() + ": cannot prepare the dry run of " + artifact.coordinates()
                    + ", nothing changed: " + e, e);
        }
        byte[] sent = manifest;
        Map<String, Future<ApplyPreview>> asked = new LinkedHashMap<>();
        for (String id : knownNodes()) {
            if (id.equals(settings.nodeId())) {
                asked.put(id, calls.submit(() -> local.preview(ticket, sent)));
                continue;
            }
            Optional<FollowerDirectory.Endpoint> endpoint = directory.find(id);
            asked.put(id, endpoint.isEmpty() ? CompletableFuture.completedFuture(ApplyPreview.unreachable(id, artifact,
                    "no FollowerService endpoint imported (RSA discovery)"))
                    : calls.submit(() -> endpoint.get().service().preview(ticket, sent)));
        }
        List<ApplyPreview> previews = new ArrayList<>();
        for (Map.Entry<String, Future<ApplyPreview>> e : asked.entrySet()) {
            try {
                previews.add(e.getValue().get(settings.callTimeoutMs(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException | ExecutionException ex) {
                e.getValue().cancel(true);
                previews.add(ApplyPreview.unreachable(e.getKey(), artifact, ex instanceof TimeoutException
                        ? "no answer within call.timeout.ms=" + settings.callTimeoutMs() : String.valueOf(ex.getCause())));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new ClusterException(settings.nodeId() + ": interrupted during the dry run, nothing changed", ex);
            }
        }
        return previews;
    }

    /**
     * Whether a rollout of the artifact goes back to an older version than the cluster ran: it says
     * so in the signed ticket, since the nodes' replay guards refuse unflagged downgrades. They
     * remember the version a removal named, so after one the comparison is with that.
     *
     * @throws Exception if ZooKeeper cannot be read
     */
    private boolean stepBack(ArtifactDescriptor artifact, Trigger trigger) throws Exception {
        ArtifactDescriptor last = state.desired(artifact.symbolicName()).map(ClusterState.Desired::artifact)
                .orElseGet(() -> runningHere(artifact.symbolicName()));
        return trigger == Trigger.ROLLBACK || (last != null
                && Version.parseVersion(artifact.version()).compareTo(Version.parseVersion(last.version())) < 0);
    }

    @Override
    public RolloutRecord pause(String rolloutId) throws ClusterException {
        return control(rolloutId, RolloutControls.Control.PAUSE);
    }

    @Override
    public RolloutRecord resume(String rolloutId) throws ClusterException {
        return control(rolloutId, null);
    }

    @Override
    public RolloutRecord abort(String rolloutId) throws ClusterException {
        return control(rolloutId, RolloutControls.Control.ABORT);
    }

    /** Records an operator's control of a running rollout; null lets it go on. */
    private RolloutRecord control(String rolloutId, RolloutControls.Control control) throws ClusterException {
        String what = control == null ? "resume" : control.name().toLowerCase();
        try {
            RolloutRecord r = log.read(rolloutId).orElseThrow(() -> new ClusterException(settings.nodeId()
                    + ": ZooKeeper records no rollout '" + rolloutId + "' (hot:history lists them)"));
            if (r.status().finished()) {
                throw new ClusterException(settings.nodeId() + ": rollout " + rolloutId + " is " + r.status()
                        + " already; there is nothing to " + what);
            }
            if (control == null) {
                controls.clear(rolloutId);
            } else {
                controls.set(rolloutId, control, settings.nodeId());
            }
            LOG.info("Hotpot: node {}: {} of rollout {} asked (it takes effect at its next batch)", settings.nodeId(),
                    what, rolloutId);
            return r;
        } catch (ClusterException e) {
            throw e;
        } catch (Exception e) {
            throw new ClusterException(settings.nodeId() + ": cannot " + what + " rollout " + rolloutId
                    + " in ZooKeeper, nothing changed: " + e, e);
        }
    }

    @Override
    public List<ArtifactDescriptor> kept(String symbolicName) {
        return store.kept(symbolicName);
    }

    @Override
    public Map<String, ArtifactDescriptor> desired() {
        Map<String, ArtifactDescriptor> desired = new TreeMap<>();
        try {
            if (state.connected()) {
                state.allDesired().stream().filter(d -> !d.absent())
                        .forEach(d -> desired.put(d.artifact().symbolicName(), d.artifact()));
            }
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot read the desired state: {}", e.toString());
        }
        return desired;
    }

    @Override
    public java.util.SortedSet<String> undeployed() {
        java.util.SortedSet<String> absent = new TreeSet<>();
        try {
            if (state.connected()) {
                state.allDesired().stream().filter(ClusterState.Desired::absent)
                        .forEach(d -> absent.add(d.artifact().symbolicName()));
            }
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot read the desired state: {}", e.toString());
        }
        return absent;
    }

    @Override
    public List<RolloutRecord> rollouts() {
        try {
            return state.connected() ? log.list() : List.of();
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot read the rollouts: {}", e.toString());
            return List.of();
        }
    }

    /**
     * Finishes, on a thread of its own, the rollouts that ZooKeeper still records as running: those
     * a dead leader left behind. Returns at once; called when this node is elected.
     */
    public void takeOver() {
        takeover.execute(this::finishRunning);
    }

    @Override
    public void close() {
        takeover.shutdownNow();
        executor.close();
        calls.shutdownNow();
    }

    private RolloutRecord start(String source, ArtifactDescriptor artifact, Path jar, Trigger trigger,
                                RolloutPolicy policy, RolloutListener listener) throws ClusterException {
        rolloutLock.lock();
        try {
            requireLeader(artifact.coordinates());
            String rolloutId = newRolloutId();
            RolloutPlan plan = plan(policy);
            long startedAt = System.currentTimeMillis();
            LOG.info("Hotpot: rollout {} of {} (sha256 {}, {} bytes) from {} by {}, policy {}, batches {}", rolloutId,
                    artifact.coordinates(), artifact.shortDigest(), artifact.size(), source, trigger, policy,
                    plan.batches());
            RolloutRecord record;
            SignedRolloutTicket ticket;
            try {
                if (!state.connected()) {
                    throw new IllegalStateException("not connected to ZooKeeper");
                }
                Optional<ClusterState.Desired> before = state.desired(artifact.symbolicName());
                boolean removed = before.map(ClusterState.Desired::absent).orElse(false);
                // After a removal nothing runs: a halted rollout has no version to return to.
                ArtifactDescriptor previous = removed ? null : before.map(ClusterState.Desired::artifact)
                        .orElseGet(() -> runningHere(artifact.symbolicName()));
                boolean back = stepBack(artifact, trigger);
                if (trigger == Trigger.UNDEPLOY) {
                    previous = artifact;
                }
                ticket = trigger == Trigger.UNDEPLOY ? issuer.issueRemoval(rolloutId, artifact)
                        : issuer.issue(rolloutId, artifact, back);
                record = new RolloutRecord(rolloutId, source, artifact, previous, policy, trigger, settings.nodeId(),
                        startedAt, 0, RolloutStatus.RUNNING, "", pending(plan));
            } catch (Exception e) {
                throw new ClusterException(settings.nodeId() + ": cannot record rollout " + rolloutId
                        + " in ZooKeeper, nothing changed: " + e, e);
            }
            SignedRolloutTicket signed = ticket;
            RolloutRecord recorded = record;
            return recordAndRun(record, List.of(ticket), () -> executor.run(recorded, signed, plan, jar, listener));
        } finally {
            rolloutLock.unlock();
        }
    }

    /** @return the bytes at the URL, in this node's staging area (not yet kept) */
    private Path stage(String url, String name) throws ClusterException {
        try (InputStream in = new URL(url).openStream()) {
            return store.stage(in, settings.artifactMaxBytes());
        } catch (IOException | RuntimeException e) {
            throw new ClusterException(settings.nodeId() + ": cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    private RolloutRecord startSet(String source, List<ArtifactDescriptor> artifacts, List<Path> jars, Trigger trigger,
                                   RolloutPolicy policy, RolloutListener listener) throws ClusterException {
        rolloutLock.lock();
        try {
            requireLeader("a set of " + artifacts.size());
            String rolloutId = newRolloutId();
            RolloutPlan plan = plan(policy);
            long startedAt = System.currentTimeMillis();
            RolloutRecord record;
            List<SignedRolloutTicket> tickets;
            try {
                if (!state.connected()) {
                    throw new IllegalStateException("not connected to ZooKeeper");
                }
                List<ArtifactDescriptor> previous = new ArrayList<>();
                List<Boolean> back = new ArrayList<>();
                ArtifactDescriptor firstPrevious = null;
                for (ArtifactDescriptor a : artifacts) {
                    Optional<ClusterState.Desired> before = state.desired(a.symbolicName());
                    ArtifactDescriptor p = before.map(d -> d.absent() ? null : d.artifact())
                            .orElseGet(() -> before.isPresent() ? null : runningHere(a.symbolicName()));
                    if (p != null) {
                        previous.add(p);
                    }
                    if (a == artifacts.get(0)) {
                        firstPrevious = p;
                    }
                    back.add(stepBack(a, trigger));
                }
                tickets = issuer.issueSet(rolloutId, artifacts, back);
                record = new RolloutRecord(rolloutId, source, artifacts.get(0), firstPrevious, policy, trigger,
                        settings.nodeId(), startedAt, 0, RolloutStatus.RUNNING, "", pending(plan), artifacts, previous);
                LOG.info("Hotpot: rollout {} of {} from {} by {}, policy {}, batches {}", rolloutId, record.what(), source,
                        trigger, policy, plan.batches());
            } catch (Exception e) {
                throw new ClusterException(settings.nodeId() + ": cannot record rollout " + rolloutId
                        + " in ZooKeeper, nothing changed: " + e, e);
            }
            List<SignedRolloutTicket> signed = tickets;
            RolloutRecord recorded = record;
            return recordAndRun(record, tickets, () -> executor.runSet(recorded, signed, plan, jars, listener));
        } finally {
            rolloutLock.unlock();
        }
    }

    /**
     * Records the decision, the rollout and each ticket's desired state, before any node is touched
     * (a node that misses the push converges to it, and a new leader finishes it), then runs it.
     */
    private RolloutRecord recordAndRun(RolloutRecord record, List<SignedRolloutTicket> tickets,
                                       java.util.function.Supplier<RolloutRecord> run) throws ClusterException {
        try {
            log.write(record);
            for (SignedRolloutTicket t : tickets) {
                state.writeDesired(new ClusterState.Desired(t, record.startedAt()));
            }
        } catch (Exception e) {
            throw new ClusterException(settings.nodeId() + ": cannot record rollout " + record.rolloutId()
                    + " in ZooKeeper, nothing changed: " + e, e);
        }
        RolloutRecord done = run.get();
        pruneHistory();
        return done;
    }

    private String newRolloutId() {
        return "r-" + LocalDateTime.now().format(ROLLOUT_TIME) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    private RolloutPlan plan(RolloutPolicy policy) throws ClusterException {
        try {
            return RolloutPlan.of(policy, settings.nodeId(), knownNodes());
        } catch (IllegalArgumentException e) {
            throw new ClusterException(settings.nodeId() + ": " + e.getMessage(), e);
        }
    }

    /** Finishes a dead leader's set with the tickets the desired state holds, as for one bundle. */
    private void finishSet(RolloutRecord r, RolloutRecord taken, RolloutPlan plan) throws Exception {
        List<SignedRolloutTicket> tickets = new ArrayList<>();
        List<Path> jars = new ArrayList<>();
        for (ArtifactDescriptor m : r.members()) {
            Optional<SignedRolloutTicket> t = state.desired(m.symbolicName())
                    .filter(d -> d.rolloutId().equals(r.rolloutId())).map(ClusterState.Desired::ticket);
            if (t.isEmpty()) {
                log.write(taken.finish(RolloutStatus.FAILED, "taken over by " + settings.nodeId() + ", but the desired "
                        + "state of " + m.symbolicName() + " no longer names this rollout", System.currentTimeMillis()));
                return;
            }
            tickets.add(t.get());
            jars.add(fetcher.fetch(r.rolloutId(), m, List.of(r.leader())).orElse(null));
        }
        if (jars.contains(null)) {
            LOG.error("Hotpot: no node holds the bytes of every member of {} any more; rollout {} ends here", r.what(),
                    r.rolloutId());
            log.write(taken.finish(RolloutStatus.FAILED, "taken over by " + settings.nodeId() + ", but no node holds "
                    + "the bytes of every member any more", System.currentTimeMillis()));
            return;
        }
        log.write(taken);
        executor.runSet(taken, tickets, plan, jars, RolloutListener.NONE);
    }

    private void finishRunning() {
        rolloutLock.lock();
        try {
            for (RolloutRecord r : log.list()) {
                if (r.status().finished() || !leadership.isLeader()) {
                    continue;
                }
                LOG.warn("Hotpot: node {} takes over rollout {} of {} from {}", settings.nodeId(), r.rolloutId(),
                        r.artifact().coordinates(), r.leader());
                Optional<Path> jar = fetcher.fetch(r.rolloutId(), r.artifact(), List.of(r.leader()));
                RolloutPolicy policy = r.policy();
                RolloutPlan plan;
                try {
                    plan = RolloutPlan.of(policy, settings.nodeId(), knownNodes());
                } catch (IllegalArgumentException e) {
                    // The named canary is gone: the first follower stands in.
                    plan = RolloutPlan.of(RolloutPolicy.parse("canary"), settings.nodeId(), knownNodes());
                }
                RolloutRecord taken = r.ledBy(settings.nodeId());
                if (r.set()) {
                    finishSet(r, taken, plan);
                    continue;
                }
                // The dead leader's signed ticket is in the desired state while its rollout runs:
                // finishing with that same ticket keeps every node's replay record consistent.
                Optional<SignedRolloutTicket> ticket = state.desired(r.artifact().symbolicName())
                        .filter(d -> d.rolloutId().equals(r.rolloutId())).map(ClusterState.Desired::ticket);
                if (ticket.isEmpty()) {
                    log.write(taken.finish(RolloutStatus.FAILED, "taken over by " + settings.nodeId()
                            + ", but the desired state no longer names this rollout", System.currentTimeMillis()));
                    continue;
                }
                if (jar.isEmpty() && !r.removal()) {
                    LOG.error("Hotpot: no node holds the bytes of {} any more; rollout {} ends here",
                            r.artifact().coordinates(), r.rolloutId());
                    Optional<ClusterState.Desired> back = Optional.empty();
                    if (r.previous() != null) {
                        back = Optional.of(new ClusterState.Desired(issuer.issue(r.rolloutId(), r.previous(), true),
                                System.currentTimeMillis()));
                    }
                    state.restoreDesired(r.artifact().symbolicName(), back);
                    log.write(taken.finish(RolloutStatus.FAILED, "taken over by " + settings.nodeId()
                            + ", but no node holds the bytes any more", System.currentTimeMillis()));
                    continue;
                }
                log.write(taken);
                // A removal whose bytes are gone still removes; only a halt would miss them.
                executor.run(taken, ticket.get(), plan, jar.orElse(null), RolloutListener.NONE);
            }
            pruneHistory();
        } catch (Exception e) {
            LOG.error("Hotpot: node {} could not take over the running rollouts", settings.nodeId(), e);
        } finally {
            rolloutLock.unlock();
        }
    }

    private void pruneHistory() {
        try {
            log.prune(settings.historySize());
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot prune the rollout history: {}", e.toString());
        }
    }

    /** What this node runs of that name before the rollout, if Hotpot can recover its bytes. */
    private ArtifactDescriptor runningHere(String symbolicName) {
        Optional<Bundle> bundle = applier.installed(symbolicName);
        if (bundle.isEmpty()) {
            return null;
        }
        try {
            return inspector.inspect(applier.currentBytes(bundle.get()), bundle.get().getLocation());
        } catch (IOException | InvalidArtifactException e) {
            LOG.warn("Hotpot: the running {} cannot be a rollback target: {}", symbolicName, e.getMessage());
            return null;
        }
    }

    private static List<NodeProgress> pending(RolloutPlan plan) {
        long now = System.currentTimeMillis();
        return plan.nodes().stream().map(n -> new NodeProgress(n, NodeProgress.Step.PENDING, null, "", now)).toList();
    }

    /** Members in ZooKeeper plus imported endpoints plus this node: a node visible either way is part of the rollout. */
    private Set<String> knownNodes() {
        Set<String> ids = new TreeSet<>(directory.nodeIds());
        try {
            ids.addAll(membership.members());
        } catch (Exception e) {
            LOG.warn("Hotpot: cannot list members in ZooKeeper ({}); using the imported endpoints only", e.toString());
        }
        ids.add(settings.nodeId());
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
