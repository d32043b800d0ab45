package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.NodeProgress.Step;
import io.hotpot.api.cluster.RolloutListener;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.runtime.apply.FaultPoints;
import io.hotpot.runtime.follower.FollowerEndpoint;
import io.hotpot.runtime.security.ticket.TicketIssuer;
import io.hotpot.runtime.transfer.ChunkedPusher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a recorded rollout through its plan, on the leader:
 * <ol>
 *   <li>stage the bytes on every follower, so that any node can finish the rollout;</li>
 *   <li>apply batch by batch; each node applies through its health gate;</li>
 *   <li>a node that answers with a failure halts the rollout: every node already updated is
 *       returned to the previous artifact, through its downgrade path (the new version exports its
 *       state, the old one imports it), the nodes not reached are skipped, and the desired state
 *       goes back to the previous artifact;</li>
 *   <li>a node that cannot be reached is left behind: it converges when it comes back.</li>
 * </ol>
 * Each node's progress goes to ZooKeeper and to the caller's listener as it happens. If this node
 * loses leadership, the run stops between batches and leaves the rollout RUNNING for the new
 * leader, which runs it again: applying an artifact a node already runs changes nothing there.
 *
 * <p>Thread-safe; the caller serializes rollouts.
 */
final class RolloutExecutor implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutExecutor.class);

    /** How often a pending call's node is checked for membership. */
    private static final long MEMBER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String nodeId;
    private final Leadership leadership;
    private final java.util.concurrent.Callable<List<String>> members;
    private final FollowerDirectory directory;
    private final FollowerEndpoint local;
    private final TicketIssuer issuer;
    private final ChunkedPusher pusher;
    private final ClusterState state;
    private final RolloutLog log;
    private final RolloutControls controls;
    private final ArtifactFetcher fetcher;
    private final FaultPoints faults;
    private final long endpointWaitMs;
    private final long applyTimeoutMs;
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hotpot-rollout-call");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param members the cluster's members now (one ZooKeeper read; throws if ZooKeeper cannot be reached):
     *                a node whose call is pending and that is no longer a member has lost its session,
     *                and is not waited for until apply.timeout.ms
     * @param local   this node's own endpoint: the leader applies through the same checks as any node
     * @param issuer  signs the tickets that return updated nodes when a rollout halts
     * @param controls an operator's pause or abort, read before each batch
     */
    RolloutExecutor(String nodeId, Leadership leadership, java.util.concurrent.Callable<List<String>> members,
                    FollowerDirectory directory, FollowerEndpoint local,
                    TicketIssuer issuer, ChunkedPusher pusher, ClusterState state, RolloutLog log,
                    RolloutControls controls, ArtifactFetcher fetcher, FaultPoints faults, long endpointWaitMs,
                    long applyTimeoutMs) {
        this.nodeId = nodeId;
        this.leadership = leadership;
        this.members = members;
        this.directory = directory;
        this.local = local;
        this.issuer = issuer;
        this.pusher = pusher;
        this.state = state;
        this.log = log;
        this.controls = controls;
        this.fetcher = fetcher;
        this.faults = faults;
        this.endpointWaitMs = endpointWaitMs;
        this.applyTimeoutMs = applyTimeoutMs;
    }

    /**
     * Runs the rollout to its end. Blocks until it completed, was rolled back, or this node lost
     * leadership (then it returns the record still RUNNING).
     *
     * @param record   the rollout, already recorded in ZooKeeper with the desired state
     * @param ticket   the leader's signed authorization of the rollout's artifact
     * @param plan     its batches over the current members
     * @param jar      the artifact's bytes on this node
     * @param listener told of each node's progress
     * @return the rollout as it ended, also written to ZooKeeper
     */
    RolloutRecord run(RolloutRecord record, SignedRolloutTicket ticket, RolloutPlan plan, Path jar,
                      RolloutListener listener) {
        return run(record, new One(ticket, jar), plan, listener);
    }

    /**
     * Runs a recorded rollout of a set to its end, as {@link #run(RolloutRecord, SignedRolloutTicket,
     * RolloutPlan, Path, RolloutListener)} does one bundle: every member staged on every node, and the
     * set's say of each node, before any node applies; then each node applies the whole set as one
     * unit; a halt returns every updated node to the previous set.
     *
     * @param tickets the members' signed tickets, in the record's member order
     * @param jars    the members' bytes on this node, in the same order (null where a takeover lost them)
     */
    RolloutRecord runSet(RolloutRecord record, List<SignedRolloutTicket> tickets, RolloutPlan plan, List<Path> jars,
                         RolloutListener listener) {
        return run(record, new Set(tickets, jars), plan, listener);
    }

    private RolloutRecord run(RolloutRecord record, Change change, RolloutPlan plan, RolloutListener listener) {
        Progress progress = new Progress(record, listener);
        plan.nodes().forEach(n -> progress.set(n, Step.PENDING, null, ""));
        ArtifactDescriptor artifact = record.artifact();

        Map<String, Future<ApplyReport>> stagings = new LinkedHashMap<>();
        for (String id : plan.nodes()) {
            stagings.put(id, calls.submit(() -> change.stage(id)));
        }
        collect(stagings, artifact, "stage").forEach((id, failure) -> {
            if (failure == null) {
                progress.set(id, Step.STAGED, null, "");
            } else {
                // REJECTED: the node answered and refused the bytes; anything else: it could not be reached.
                progress.set(id, failure.outcome() == ApplyOutcome.REJECTED ? Step.FAILED : Step.UNREACHABLE, failure,
                        failure.message());
            }
        });
        if (progress.any(Step.FAILED)) {
            return halt(progress, "refused by " + progress.nodes(Step.FAILED) + " before anything was applied");
        }
        reach("BEFORE_APPLY");

        List<List<String>> batches = plan.batches();
        for (int b = 0; b < batches.size(); b++) {
            if (!leadership.isLeader()) {
                LOG.warn("Hotpot: node {} lost leadership during rollout {}; the new leader finishes it", nodeId,
                        record.rolloutId());
                return progress.record();
            }
            Hold hold = holdWhilePaused(progress);
            if (hold == Hold.LOST) {
                LOG.warn("Hotpot: node {} lost leadership while rollout {} was paused; the new leader holds it",
                        nodeId, record.rolloutId());
                return progress.record();
            }
            if (hold == Hold.ABORT) {
                return halt(progress, "aborted by hot:abort before batch " + (b + 1) + "/" + batches.size());
            }
            Map<String, Future<ApplyReport>> applies = new LinkedHashMap<>();
            for (String id : batches.get(b)) {
                if (progress.step(id) == Step.UNREACHABLE) {
                    continue;
                }
                progress.set(id, Step.APPLYING, null, "");
                applies.put(id, calls.submit(() -> change.apply(id)));
            }
            Map<String, ApplyReport> applied = collect(applies, artifact, "apply");
            applied.forEach((id, r) -> progress.set(id, stepOf(r), r, r.message()));
            List<String> lost = applied.entrySet().stream().filter(e -> stepOf(e.getValue()) == Step.UNREACHABLE)
                    .map(Map.Entry::getKey).toList();
            if (!lost.isEmpty() && record.policy().kind() != RolloutPolicy.Kind.ALL) {
                // A node that vanished while it applied may have been killed by the version itself: a
                // rolling or canary rollout exists not to take the next batch down the same way.
                for (String id : lost) {
                    progress.set(id, Step.FAILED, applied.get(id), applied.get(id).message());
                }
                return halt(progress, "batch " + (b + 1) + "/" + batches.size() + ": " + lost
                        + " was lost during its apply");
            }
            if (progress.any(Step.FAILED)) {
                return halt(progress, "batch " + (b + 1) + "/" + batches.size() + " failed on "
                        + progress.nodes(Step.FAILED));
            }
            if (b == 0 && record.policy().kind() == RolloutPolicy.Kind.CANARY
                    && batches.get(0).stream().noneMatch(id -> progress.step(id) == Step.APPLIED)) {
                return halt(progress, "the canary " + batches.get(0) + " could not be reached");
            }
            if (b < batches.size() - 1) {
                reach("BETWEEN_BATCHES");
            }
        }
        List<String> behind = progress.nodes(Step.UNREACHABLE);
        return progress.finish(RolloutStatus.COMPLETED, behind.isEmpty() ? "" : behind
                + " could not be reached and converge when they come back");
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }

    /** What a batch boundary decides: go on, abort, or stop here (leadership lost, or this node closing). */
    private enum Hold { GO, ABORT, LOST }

    /**
     * Blocks while an operator holds the rollout ({@code hot:pause}), checking every 250 ms, and says
     * in the rollout's record that it is held. A hold that cannot be read (ZooKeeper unreachable) is
     * kept once it was seen; before that, the rollout goes on, as its own calls decide.
     */
    private Hold holdWhilePaused(Progress progress) {
        String id = progress.record.rolloutId();
        boolean held = false;
        while (true) {
            Optional<RolloutControls.Control> control;
            try {
                control = controls.get(id);
            } catch (Exception e) {
                LOG.warn("Hotpot: cannot read the controls of rollout {}: {}", id, e.toString());
                control = held ? Optional.of(RolloutControls.Control.PAUSE) : Optional.empty();
            }
            if (control.isPresent() && control.get() == RolloutControls.Control.ABORT) {
                LOG.warn("Hotpot: rollout {} aborted by an operator (hot:abort)", id);
                return Hold.ABORT;
            }
            if (control.isEmpty()) {
                if (held) {
                    progress.note(null);
                    LOG.info("Hotpot: rollout {} resumed (hot:resume)", id);
                }
                return Hold.GO;
            }
            if (!leadership.isLeader()) {
                return Hold.LOST;
            }
            if (!held) {
                held = true;
                progress.note("PAUSED (hot:pause): no further batch until hot:resume " + id + "; hot:abort " + id
                        + " returns the nodes already updated");
                LOG.info("Hotpot: rollout {} paused by an operator (hot:pause) before its next batch", id);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Hold.LOST;
            }
        }
    }

    /** Returns every updated node to the previous artifact (or set), skips the rest, restores the desired state. */
    private RolloutRecord halt(Progress progress, String why) {
        RolloutRecord record = progress.record();
        // Each node's reason is in its own record; the rollout's says what happened, in one line.
        String reason = why;
        LOG.error("Hotpot: rollout {} of {} halted ({}: {}); returning updated nodes to {}", record.rolloutId(),
                record.what(), reason, progress.failures(), record.previousMembers().isEmpty()
                        ? "nothing (no previous version)" : record.previousMembers().stream()
                        .map(ArtifactDescriptor::coordinates).toList());
        for (String id : progress.nodes(Step.PENDING, Step.STAGED)) {
            progress.set(id, Step.SKIPPED, null, "not touched: the rollout halted before this node's batch");
        }
        List<String> updated = progress.nodes(Step.APPLIED);
        Return back = record.set() ? returnOfSet(record, updated) : returnOfOne(record, updated);
        Map<String, Future<ApplyReport>> reverts = new LinkedHashMap<>();
        for (String id : updated) {
            if (back.change() == null) {
                reverts.put(id, CompletableFuture.completedFuture(ApplyReport.unreachable(id, record.artifact(),
                        ApplyPhase.ROLLBACK, back.noReturn(), 0)));
                continue;
            }
            progress.set(id, Step.APPLYING, null, "returning to " + back.to());
            reverts.put(id, calls.submit(() -> {
                ApplyReport staged = back.change().stage(id);
                return staged != null ? staged : back.change().apply(id);
            }));
        }
        collect(reverts, record.artifact(), "return to the previous version").forEach((id, r) ->
                progress.set(id, r.outcome().succeeded() ? Step.ROLLED_BACK : Step.ROLLBACK_FAILED, r, r.message()));
        try {
            back.restoreDesired().run();
        } catch (Exception e) {
            LOG.error("Hotpot: cannot restore the desired state of {} after rollout {}", record.what(),
                    record.rolloutId(), e);
        }
        boolean clean = !progress.any(Step.ROLLBACK_FAILED);
        return progress.finish(clean ? RolloutStatus.ROLLED_BACK : RolloutStatus.FAILED,
                reason + (clean ? "" : "; RETURNING FAILED on " + progress.nodes(Step.ROLLBACK_FAILED)));
    }

    /** A halted rollout's way back: the change that returns a node, or why there is none, and the desired state's. */
    private interface DesiredRestore {
        void run() throws Exception;
    }

    private record Return(Change change, String to, String noReturn, DesiredRestore restoreDesired) {
    }

    private Return returnOfOne(RolloutRecord record, List<String> updated) {
        ArtifactDescriptor previous = record.previous();
        String bsn = record.artifact().symbolicName();
        if (previous == null) {
            return new Return(null, null, "no earlier version of " + bsn + " to return to",
                    () -> state.restoreDesired(bsn, Optional.empty()));
        }
        Optional<Path> previousJar = fetcher.fetch(record.rolloutId(), previous, updated);
        if (previousJar.isEmpty()) {
            return new Return(null, null, "the bytes of " + previous.coordinates() + " are on no reachable node",
                    () -> state.restoreDesired(bsn, Optional.empty()));
        }
        try {
            // Going back is a decision of its own: a fresh sequence, flagged as a rollback, so that
            // every node's replay guard accepts the older version.
            SignedRolloutTicket back = issuer.issue(record.rolloutId(), previous, true);
            return new Return(new One(back, previousJar.get()), previous.coordinates(), null, () -> state.restoreDesired(bsn,
                    Optional.of(new ClusterState.Desired(back, System.currentTimeMillis()))));
        } catch (Exception e) {
            return new Return(null, null, "cannot sign the return to " + previous.coordinates() + ": " + e,
                    () -> state.restoreDesired(bsn, Optional.empty()));
        }
    }

    /**
     * The way back of a set: the members that had a previous version return to it together (a set of
     * their own, or one bundle), then the members that were new are removed again.
     */
    private Return returnOfSet(RolloutRecord record, List<String> updated) {
        Map<String, ArtifactDescriptor> previous = new LinkedHashMap<>();
        record.previousMembers().forEach(a -> previous.put(a.symbolicName(), a));
        List<ArtifactDescriptor> back = new ArrayList<>();
        List<ArtifactDescriptor> added = new ArrayList<>();
        for (ArtifactDescriptor m : record.members()) {
            if (previous.containsKey(m.symbolicName())) {
                back.add(previous.get(m.symbolicName()));
            } else {
                added.add(m);
            }
        }
        List<Path> jars = new ArrayList<>();
        for (ArtifactDescriptor a : back) {
            Optional<Path> jar = fetcher.fetch(record.rolloutId(), a, updated);
            if (jar.isEmpty()) {
                return new Return(null, null, "the bytes of " + a.coordinates() + " are on no reachable node", () -> { });
            }
            jars.add(jar.get());
        }
        try {
            List<SignedRolloutTicket> backTickets = back.size() == 1
                    ? List.of(issuer.issue(record.rolloutId(), back.get(0), true))
                    : back.isEmpty() ? List.of()
                    : issuer.issueSet(record.rolloutId(), back, back.stream().map(a -> true).toList());
            List<SignedRolloutTicket> removals = new ArrayList<>();
            for (ArtifactDescriptor a : added) {
                removals.add(issuer.issueRemoval(record.rolloutId(), a));
            }
            List<Change> steps = new ArrayList<>();
            if (backTickets.size() == 1) {
                steps.add(new One(backTickets.get(0), jars.get(0)));
            } else if (!backTickets.isEmpty()) {
                steps.add(new Set(backTickets, jars));
            }
            removals.forEach(r -> steps.add(new One(r, null)));
            String to = back.stream().map(ArtifactDescriptor::coordinates).toList()
                    + (added.isEmpty() ? "" : ", removing " + added.stream().map(ArtifactDescriptor::symbolicName).toList());
            return new Return(new Steps(steps, record.artifact()), to, null, () -> {
                long now = System.currentTimeMillis();
                for (SignedRolloutTicket t : backTickets) {
                    state.writeDesired(new ClusterState.Desired(t, now));
                }
                for (SignedRolloutTicket t : removals) {
                    state.writeDesired(new ClusterState.Desired(t, now));
                }
            });
        } catch (Exception e) {
            return new Return(null, null, "cannot sign the return of the set: " + e, () -> { });
        }
    }

    /** What a rollout moves through the cluster, node by node: one bundle, or a set. */
    private interface Change {

        /** @return null once the node holds the bytes and would apply them, else the report of why not */
        ApplyReport stage(String id) throws InterruptedException;

        /** @return the node's report */
        ApplyReport apply(String id);
    }

    /** One bundle (or one removal: no bytes to stage when the jar is null and the node holds none). */
    private final class One implements Change {

        private final SignedRolloutTicket ticket;
        private final Path jar;

        One(SignedRolloutTicket ticket, Path jar) {
            this.ticket = ticket;
            this.jar = jar;
        }

        @Override
        public ApplyReport stage(String id) throws InterruptedException {
            if (jar == null && ticket.ticket().removal()) {
                // A set's new member returned by its removal: the node checks the ticket when it applies it.
                return null;
            }
            return stageOn(id, ticket, jar);
        }

        @Override
        public ApplyReport apply(String id) {
            return applyOn(id, ticket);
        }
    }

    /** A set, staged member by member and applied as one unit. */
    private final class Set implements Change {

        private final List<SignedRolloutTicket> tickets;
        private final List<Path> jars;

        Set(List<SignedRolloutTicket> tickets, List<Path> jars) {
            this.tickets = List.copyOf(tickets);
            this.jars = new ArrayList<>(jars);
        }

        @Override
        public ApplyReport stage(String id) throws InterruptedException {
            for (int i = 0; i < tickets.size(); i++) {
                ApplyReport failed = stageOn(id, tickets.get(i), jars.get(i));
                if (failed != null) {
                    return failed;
                }
            }
            return stageSetOn(id, tickets);
        }

        @Override
        public ApplyReport apply(String id) {
            return applySetOn(id, tickets);
        }
    }

    /** Changes made one after the other on a node; the first that fails ends it. */
    private static final class Steps implements Change {

        private final List<Change> steps;
        private final ArtifactDescriptor artifact;

        Steps(List<Change> steps, ArtifactDescriptor artifact) {
            this.steps = steps;
            this.artifact = artifact;
        }

        @Override
        public ApplyReport stage(String id) throws InterruptedException {
            for (Change c : steps) {
                ApplyReport failed = c.stage(id);
                if (failed != null) {
                    return failed;
                }
            }
            return null;
        }

        @Override
        public ApplyReport apply(String id) {
            ApplyReport last = null;
            List<String> done = new ArrayList<>();
            for (Change c : steps) {
                last = c.apply(id);
                if (!last.outcome().succeeded()) {
                    return last;
                }
                done.add(last.message());
            }
            return last == null ? null : new ApplyReport(id, artifact, last.outcome(), last.previousVersion(),
                    last.runningVersion(), last.bundleState(), null, String.join("; ", done), last.stateBytes(),
                    last.pauseMicros(), last.heldCalls(), last.durationMs());
        }
    }

    /** The set's say of one node, once it holds every member's bytes. */
    private ApplyReport stageSetOn(String id, List<SignedRolloutTicket> tickets) {
        ArtifactDescriptor first = tickets.get(0).ticket().artifact();
        long start = System.nanoTime();
        try {
            if (id.equals(nodeId)) {
                local.stageSet(tickets);
            } else {
                FollowerDirectory.Endpoint endpoint = directory.find(id)
                        .orElseThrow(() -> new IllegalStateException("its endpoint went away"));
                endpoint.service().stageSet(tickets);
            }
            return null;
        } catch (TransferException refused) {
            return new ApplyReport(id, first, ApplyOutcome.REJECTED, null, null, null,
                    refused.phase() != null ? refused.phase() : ApplyPhase.VERIFY, refused.getMessage(), -1, -1, -1,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (Exception x) {
            return ApplyReport.unreachable(id, first, ApplyPhase.CONNECT, "staging of the set on " + id + " failed: " + x,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** @return one report for the node: the first member that did not succeed, else a summary of all */
    private ApplyReport applySetOn(String id, List<SignedRolloutTicket> tickets) {
        ArtifactDescriptor first = tickets.get(0).ticket().artifact();
        long start = System.nanoTime();
        try {
            List<ApplyReport> reports;
            if (id.equals(nodeId)) {
                reports = local.applyStoredSet(tickets).stream().map(io.hotpot.api.SignedApplyReport::report).toList();
            } else {
                FollowerDirectory.Endpoint endpoint = directory.find(id)
                        .orElseThrow(() -> new IllegalStateException("its endpoint went away"));
                reports = endpoint.applyStoredSet(tickets);
                directory.seen(id);
            }
            Optional<ApplyReport> failed = reports.stream().filter(r -> !r.outcome().succeeded()).findFirst();
            if (failed.isPresent()) {
                return failed.get();
            }
            ApplyReport r = reports.get(0);
            String each = reports.stream().map(x -> x.artifact().coordinates() + " " + x.outcome())
                    .collect(java.util.stream.Collectors.joining(", "));
            return new ApplyReport(id, first, r.outcome(), r.previousVersion(), r.runningVersion(), r.bundleState(), null,
                    "set of " + reports.size() + " on " + id + ": " + each + "; " + r.message(), r.stateBytes(),
                    r.pauseMicros(), r.heldCalls(), (System.nanoTime() - start) / 1_000_000);
        } catch (TransferException refused) {
            return new ApplyReport(id, first, ApplyOutcome.REJECTED, null, null, null, ApplyPhase.VERIFY,
                    refused.getMessage(), -1, -1, -1, (System.nanoTime() - start) / 1_000_000);
        } catch (Exception x) {
            return ApplyReport.unreachable(id, first, ApplyPhase.CONNECT, "apply of the set on " + id + " failed: " + x,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** @return null once the node holds the bytes, else the report of why not */
    private ApplyReport stageOn(String id, SignedRolloutTicket ticket, Path jar) throws InterruptedException {
        ArtifactDescriptor artifact = ticket.ticket().artifact();
        if (id.equals(nodeId)) {
            if (ticket.ticket().member()) {
                // A member's say is its set's (stageSetOn): another member may provide what it imports.
                return null;
            }
            // The leader holds the bytes already; it gets the same say as a follower's staging.
            return local.stagingRefusal(ticket.ticket(), jar).map(why -> new ApplyReport(id, artifact, ApplyOutcome.REJECTED,
                    null, null, null, ApplyPhase.RESOLVE, why, -1, -1, -1, 0)).orElse(null);
        }
        Optional<FollowerDirectory.Endpoint> endpoint = directory.await(id, endpointWaitMs);
        if (endpoint.isEmpty()) {
            return ApplyReport.unreachable(id, artifact, ApplyPhase.CONNECT, id + " is a cluster member but its "
                    + "FollowerService endpoint was not imported within endpoint.wait.ms=" + endpointWaitMs, endpointWaitMs);
        }
        ApplyReport failure = pusher.stage(id, endpoint.get().service(), ticket, jar).orElse(null);
        if (failure == null || failure.failedPhase() != ApplyPhase.CONNECT) {
            directory.seen(id);
        }
        return failure;
    }

    private ApplyReport applyOn(String id, SignedRolloutTicket ticket) {
        ArtifactDescriptor artifact = ticket.ticket().artifact();
        long start = System.nanoTime();
        try {
            if (id.equals(nodeId)) {
                return local.applyStored(ticket).report();
            }
            FollowerDirectory.Endpoint endpoint = directory.find(id)
                    .orElseThrow(() -> new IllegalStateException("its endpoint went away"));
            ApplyReport r = endpoint.applyStored(ticket);
            directory.seen(id);
            return r;
        } catch (TransferException refused) {
            // The node answered and said no: a failure of the rollout, not an absence.
            return new ApplyReport(id, artifact, ApplyOutcome.REJECTED, null, null, null, ApplyPhase.VERIFY,
                    refused.getMessage(), -1, -1, -1, (System.nanoTime() - start) / 1_000_000);
        } catch (Exception x) {
            return ApplyReport.unreachable(id, artifact, ApplyPhase.CONNECT, "apply of " + artifact.coordinates()
                    + " on " + id + " failed: " + x, (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** An unreachable node's report has no running version and fails to CONNECT. */
    private static Step stepOf(ApplyReport r) {
        if (r.outcome().succeeded()) {
            return Step.APPLIED;
        }
        return r.failedPhase() == ApplyPhase.CONNECT ? Step.UNREACHABLE : Step.FAILED;
    }

    /**
     * Waits for every future within apply.timeout.ms; a late or failed one becomes a CONNECT
     * failure. An interrupt does not shorten the wait (it is re-asserted on return): a node whose
     * apply still runs is not reported unreachable because someone stopped listening.
     */
    private Map<String, ApplyReport> collect(Map<String, Future<ApplyReport>> futures, ArtifactDescriptor artifact,
                                             String what) {
        Map<String, ApplyReport> reports = new LinkedHashMap<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(applyTimeoutMs);
        boolean interrupted = false;
        for (Map.Entry<String, Future<ApplyReport>> e : futures.entrySet()) {
            String id = e.getKey();
            while (!reports.containsKey(id)) {
                long left = deadline - System.nanoTime();
                try {
                    reports.put(id, e.getValue().get(Math.max(0, Math.min(left, MEMBER_POLL_NANOS)), TimeUnit.NANOSECONDS));
                } catch (InterruptedException ex) {
                    interrupted = true;
                } catch (TimeoutException ex) {
                    if (left <= 0) {
                        reports.put(id, abandon(e.getValue(), artifact, id, start, id + " did not " + what + " "
                                + artifact.coordinates() + " within apply.timeout.ms=" + applyTimeoutMs + ": " + ex));
                    } else if (!id.equals(nodeId) && leftTheCluster(id)) {
                        // A node cut off from ZooKeeper for a session timeout is no member any more: a call
                        // to it hangs on a connection nobody answers (a partition drops, it does not refuse).
                        reports.put(id, abandon(e.getValue(), artifact, id, start, id + " left the cluster (its ZooKeeper "
                                + "session ended) before it answered the " + what + " of " + artifact.coordinates()));
                    }
                } catch (ExecutionException ex) {
                    reports.put(id, abandon(e.getValue(), artifact, id, start, id + " did not " + what + " "
                            + artifact.coordinates() + ": " + ex));
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return reports;
    }

    /** @param since when the waiting began ({@link System#nanoTime()}): the report's duration counts from there */
    private static ApplyReport abandon(Future<ApplyReport> call, ArtifactDescriptor artifact, String node, long since,
                                       String why) {
        // The local apply is not cut short by this (its swap ignores interrupts); a remote call's thread is freed.
        call.cancel(true);
        return ApplyReport.unreachable(node, artifact, ApplyPhase.CONNECT, why,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }

    /** @return whether ZooKeeper, as this node reads it now, no longer lists the node; false if it cannot be read */
    private boolean leftTheCluster(String id) {
        try {
            return !members.call().contains(id);
        } catch (Exception e) {
            return false;
        }
    }

    /** Writes a finished rollout until ZooKeeper takes it, every second, for at most ten minutes. */
    private void recordEnd(RolloutRecord done) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(1_000);
                log.write(done);
                LOG.info("Hotpot: recorded the end of rollout {} in ZooKeeper: {}", done.rolloutId(), done.status());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("Hotpot: recording the end of rollout {} failed again", done.rolloutId(), e);
            }
        }
        LOG.error("Hotpot: could not record the end of rollout {} in ZooKeeper for ten minutes; the next leader "
                + "takes it over as RUNNING", done.rolloutId());
    }

    private void reach(String point) {
        try {
            faults.reach(point);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One run's per-node progress, mirrored to ZooKeeper and the listener as it changes. */
    private final class Progress {

        private final RolloutRecord record;
        private final RolloutListener listener;
        private final Map<String, NodeProgress> nodes = new TreeMap<>();
        /** What the record says while the rollout runs (a hold), null for nothing. */
        private String note;

        Progress(RolloutRecord record, RolloutListener listener) {
            this.record = record;
            this.listener = listener;
            record.nodes().forEach(n -> nodes.put(n.nodeId(), n));
        }

        void set(String id, Step step, ApplyReport report, String detail) {
            NodeProgress p;
            synchronized (this) {
                ApplyReport last = report != null ? report : Optional.ofNullable(nodes.get(id))
                        .map(NodeProgress::report).orElse(null);
                p = new NodeProgress(id, step, last, detail, System.currentTimeMillis());
                nodes.put(id, p);
            }
            log.progress(record.rolloutId(), p);
            try {
                listener.progressed(p);
            } catch (RuntimeException e) {
                LOG.debug("Hotpot: a rollout listener threw", e);
            }
        }

        synchronized Step step(String id) {
            return Optional.ofNullable(nodes.get(id)).map(NodeProgress::step).orElse(Step.PENDING);
        }

        synchronized boolean any(Step step) {
            return nodes.values().stream().anyMatch(n -> n.step() == step);
        }

        synchronized List<String> nodes(Step... steps) {
            List<Step> wanted = List.of(steps);
            return nodes.values().stream().filter(n -> wanted.contains(n.step())).map(NodeProgress::nodeId).toList();
        }

        synchronized String failures() {
            List<String> failed = new ArrayList<>();
            for (NodeProgress n : nodes.values()) {
                if (n.step() == Step.FAILED) {
                    failed.add(n.nodeId() + ": " + n.detail());
                }
            }
            return String.join("; ", failed);
        }

        synchronized RolloutRecord record() {
            RolloutRecord r = record.withNodes(List.copyOf(nodes.values()));
            return note == null ? r : r.withMessage(note);
        }

        /** Says, in the record in ZooKeeper, why the rollout waits; null when it goes on again. */
        void note(String text) {
            synchronized (this) {
                note = text;
            }
            try {
                log.write(record());
            } catch (Exception e) {
                LOG.warn("Hotpot: cannot record the hold of rollout {} in ZooKeeper: {}", record.rolloutId(), e.toString());
            }
        }

        RolloutRecord finish(RolloutStatus status, String message) {
            RolloutRecord done = record().finish(status, message, System.currentTimeMillis());
            try {
                // A finished rollout is held by nothing: its control goes with it.
                controls.clear(record.rolloutId());
            } catch (Exception e) {
                LOG.debug("Hotpot: cannot clear the controls of rollout {}", record.rolloutId(), e);
            }
            try {
                log.write(done);
            } catch (Exception e) {
                // A rollout left RUNNING in ZooKeeper would hold back every node's convergence of its
                // bundle for ever: the end is written again until ZooKeeper takes it.
                LOG.warn("Hotpot: cannot record the end of rollout {} in ZooKeeper ({}); retrying", done.rolloutId(),
                        e.toString());
                calls.execute(() -> recordEnd(done));
            }
            LOG.info("Hotpot: rollout {} of {} {} in {} ms{}", done.rolloutId(), done.what(), status,
                    done.durationMs(), message.isEmpty() ? "" : ": " + message);
            return done;
        }
    }
}
