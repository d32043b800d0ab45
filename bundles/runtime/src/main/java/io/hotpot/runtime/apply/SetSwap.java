package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.gate.CallGate;
import io.hotpot.runtime.gate.ServiceDamper;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.store.FailureRecord;
import io.hotpot.runtime.store.SwapJournal;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Swaps a set of bundles as one unit, with their state, the way a single swap does one bundle:
 * one gate closure over every member and every bundle of their refresh closure; the state of each
 * that registers a migration service exported first; then every member stopped, updated (or
 * installed), and resolved together by one {@code FrameworkWiring.refreshBundles} (OSGi Core R8,
 * Bundle Wiring API), started in dependency order (providers first), given its state back, and
 * checked by the health gate; only then do the gates open. An API bundle and the implementation
 * that needs its new version therefore go together, which one rollout per bundle cannot do: each
 * alone would not resolve, or would break the other.
 *
 * <p>If anything fails after the export, the whole set goes back: the updated members to their old
 * bytes, the installed ones uninstalled, one refresh, and every member and dependent its old state.
 * The journal holds an entry per member, written before any member is touched (an install's entry
 * has no old version), so a node that dies in the middle goes back member by member when it starts.
 *
 * <p>Not thread-safe by itself: the {@link BundleApplier} runs it under its lock, on its swap thread.
 */
final class SetSwap {

    private static final Logger LOG = LoggerFactory.getLogger(SetSwap.class);

    /** A member as this node will swap it: the bundle it updates (null for an install), its old bytes. */
    private record Planned(SetMember member, Bundle bundle, String previous, ArtifactDescriptor old, Path oldJar,
                           Set<String> exports, Set<String> imports) {

        String bsn() {
            return member.artifact().symbolicName();
        }

        boolean install() {
            return bundle == null;
        }
    }

    private final String nodeId;
    private final BundleContext context;
    private final ArtifactStore store;
    private final SwapJournal journal;
    private final ServiceDamper damper;
    private final MigrationCalls migrations;
    private final Refresher refresher;
    private final HealthGate health;
    private final FailureRecord failures;
    private final long timeoutMs;

    SetSwap(String nodeId, BundleContext context, ArtifactStore store, SwapJournal journal, ServiceDamper damper,
            MigrationCalls migrations, Refresher refresher, HealthGate health, FailureRecord failures, long timeoutMs) {
        this.nodeId = nodeId;
        this.context = context;
        this.store = store;
        this.journal = journal;
        this.damper = damper;
        this.migrations = migrations;
        this.refresher = refresher;
        this.health = health;
        this.failures = failures;
        this.timeoutMs = timeoutMs;
    }

    /**
     * @param installed  the bundle Hotpot updates for a symbolic name ({@link BundleApplier#installed})
     * @param oldBytesOf the running bytes of a bundle, and their descriptor ({@link BundleApplier#currentBytes})
     * @return one report per member, in the order given; every member has the same fate: all run the
     *         set, or none does (REJECTED: nothing touched; ROLLED_BACK: all back; FAILED: the return failed)
     */
    List<ApplyReport> swap(String rolloutId, List<SetMember> members, Function<String, Optional<Bundle>> installed,
                           OldBytes oldBytesOf, long start) throws InterruptedException {
        // Prepared while calls still flow: what is needed to go back is on disk first.
        List<Planned> plan = new ArrayList<>();
        List<SetMember> unchanged = new ArrayList<>();
        for (SetMember m : members) {
            ArtifactDescriptor d = m.artifact();
            Optional<Bundle> bundle = installed.apply(d.symbolicName());
            java.util.jar.Attributes main;
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(m.jar().toFile())) {
                main = jar.getManifest().getMainAttributes();
            } catch (IOException e) {
                return refuseAll(members, "cannot read the manifest of " + d.coordinates() + ": " + e.getMessage(), start);
            }
            if (bundle.isPresent() && bundle.get().getVersion().toString().equals(d.version()) && store.applied(d.symbolicName())
                    .filter(a -> a.artifact().sha256().equals(d.sha256())).isPresent()) {
                unchanged.add(m);
                continue;
            }
            Bundle b = bundle.orElse(null);
            Path oldJar = null;
            ArtifactDescriptor old = null;
            if (b != null) {
                try {
                    Map.Entry<Path, ArtifactDescriptor> bytes = oldBytesOf.of(b);
                    oldJar = bytes.getKey();
                    old = bytes.getValue();
                } catch (IOException e) {
                    return refuseAll(members, "cannot keep the running bytes of " + d.symbolicName() + ": " + e.getMessage(),
                            start);
                }
            }
            plan.add(new Planned(m, b, b == null ? null : b.getVersion().toString(), old, oldJar,
                    ImportCheck.exportedPackages(main), ImportCheck.importedPackages(main)));
        }
        if (plan.isEmpty()) {
            return members.stream().map(m -> report(m.artifact(), ApplyOutcome.UNCHANGED, m.artifact().version(),
                    m.artifact().version(), "ACTIVE", null, nodeId + " already runs " + m.artifact().coordinates(),
                    -1, -1, start)).toList();
        }
        plan = dependencyOrder(plan);
        List<Bundle> updated = plan.stream().filter(p -> !p.install()).map(Planned::bundle).toList();
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        List<Bundle> dependents = updated.isEmpty() ? List.of() : wiring.getDependencyClosure(updated).stream()
                .filter(b -> !updated.contains(b) && (b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING))
                .sorted(Comparator.comparing(Bundle::getBundleId)).toList();

        List<CallGate> closed = new ArrayList<>();
        long pauseStart = System.nanoTime();
        List<ApplyReport> reports;
        try {
            try {
                for (String bsn : gated(plan, dependents)) {
                    CallGate g = damper.gate(bsn);
                    if (!g.isClosedByCurrentThread()) {
                        g.close(timeoutMs);
                        closed.add(g);
                    }
                }
            } catch (IllegalStateException e) {
                return refuseAll(members, "the gates did not close: " + e.getMessage(), start);
            }
            reports = swapGated(rolloutId, members, plan, unchanged, dependents, start, pauseStart);
        } finally {
            for (int i = closed.size() - 1; i >= 0; i--) {
                closed.get(i).open();
            }
        }
        // Services the members' revisions now running no longer register go, as they would without Hotpot.
        plan.forEach(p -> damper.dropUnserved(p.bsn()));
        LOG.info("Hotpot: set of {} on {}: {} ({} ms)", members.stream().map(m -> m.artifact().coordinates()).toList(),
                nodeId, reports.get(0).outcome(), (System.nanoTime() - start) / 1_000_000);
        return reports;
    }

    /** Reads what stored bytes are. */
    interface Inspector {
        ArtifactDescriptor inspect(Path jar, String name) throws IOException;
    }

    /**
     * Finishes the set swap the last stop of the node interrupted (its members' journal entries):
     * if every member runs and recorded the new bytes, only the entries go; otherwise every member
     * goes back as the set's own return does (stopped, old bytes, installs uninstalled, one refresh,
     * started, old state from the snapshots), and is recorded so. The state of bundles that merely
     * depended on a member lived in memory and is lost, as for a single swap. The caller holds the
     * members' gates closed. Never throws; a failure keeps the entries for the next start.
     */
    void recover(List<SwapJournal.Entry> entries, Function<String, Optional<Bundle>> installed, Inspector inspector) {
        String rollout = entries.get(0).rolloutId();
        try {
            boolean completed = entries.stream().allMatch(e -> installed.apply(e.symbolicName())
                    .filter(b -> b.getVersion().toString().equals(e.toVersion())).isPresent()
                    && store.applied(e.symbolicName()).filter(a -> a.artifact().sha256().equals(e.toSha256())).isPresent());
            if (!completed) {
                List<Bundle> back = new ArrayList<>();
                List<Bundle> refreshed = new ArrayList<>();
                for (SwapJournal.Entry e : entries) {
                    Optional<Bundle> b = installed.apply(e.symbolicName());
                    if (b.isPresent()) {
                        stopTransient(b.get());
                    }
                }
                for (SwapJournal.Entry e : entries) {
                    Optional<Bundle> b = installed.apply(e.symbolicName());
                    if (e.fromVersion().isEmpty()) {
                        if (b.isPresent() && b.get().getLocation().startsWith(BundleApplier.LOCATION_PREFIX)) {
                            b.get().uninstall();
                            refreshed.add(b.get());
                        }
                        store.forgetApplied(e.symbolicName());
                        continue;
                    }
                    Path oldJar = store.artifact(e.fromSha256()).orElseThrow(() -> new IOException("the old bytes of "
                            + e.symbolicName() + " " + e.fromVersion() + " are missing"));
                    if (b.isEmpty()) {
                        throw new IOException(e.symbolicName() + " is not installed");
                    }
                    try (InputStream in = Files.newInputStream(oldJar)) {
                        b.get().update(in);
                    }
                    back.add(b.get());
                    refreshed.add(b.get());
                    store.recordApplied(inspector.inspect(oldJar, e.symbolicName()), e.rolloutId());
                }
                if (!refreshed.isEmpty()) {
                    refresher.refresh(refreshed);
                }
                for (SwapJournal.Entry e : entries) {
                    Optional<Bundle> b = installed.apply(e.symbolicName());
                    if (e.fromVersion().isEmpty() || b.isEmpty()) {
                        continue;
                    }
                    b.get().start();
                    if (e.hasSnapshot()) {
                        Optional<StateSnapshot> snapshot = store.loadSnapshot(e.symbolicName());
                        if (snapshot.isPresent()) {
                            ServiceReference<StateMigration> ref = migrations.await(b.get());
                            migrations.call(ref, ApplyPhase.ROLLBACK, "importState() and resume() of " + e.symbolicName(),
                                    m -> {
                                        m.importState(snapshot.get());
                                        m.resume();
                                        return null;
                                    });
                        }
                    }
                    // The node died while it applied these bytes: perhaps because of them. Once more at most, on its own.
                    failures.died(e.symbolicName(), e.toSha256());
                }
                LOG.warn("Hotpot: node {} returned the set of rollout {} ({}) after its swap was interrupted", nodeId,
                        rollout, entries.stream().map(e -> e.symbolicName() + " " + e.toVersion() + " -> "
                                + (e.fromVersion().isEmpty() ? "uninstalled" : e.fromVersion())).toList());
            }
            entries.forEach(e -> removeEntry(e.symbolicName()));
        } catch (Exception | LinkageError x) {
            if (x instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("Hotpot: recovery of the set of rollout {} on {} failed; the journal entries are kept for the next "
                    + "start", rollout, nodeId, x);
        }
    }

    /** How the running bytes of a bundle are kept before it is touched. */
    interface OldBytes {
        Map.Entry<Path, ArtifactDescriptor> of(Bundle bundle) throws IOException;
    }

    private List<ApplyReport> swapGated(String rolloutId, List<SetMember> members, List<Planned> plan,
                                        List<SetMember> unchanged, List<Bundle> dependents, long start, long pauseStart)
            throws InterruptedException {
        Map<String, StateSnapshot> snapshots = new LinkedHashMap<>();
        Map<Bundle, StateSnapshot> dependentState = new LinkedHashMap<>();
        List<Bundle> quiesced = new ArrayList<>();
        try {
            for (Planned p : plan) {
                if (p.install()) {
                    continue;
                }
                Optional<StateSnapshot> s = export(p.bundle(), quiesced);
                if (s.isPresent()) {
                    snapshots.put(p.bsn(), s.get());
                    store.saveSnapshot(s.get());
                }
            }
            for (Bundle d : dependents) {
                export(d, quiesced).ifPresent(s -> dependentState.put(d, s));
            }
            // One entry per member before any is touched: a node that dies from here on goes back member by member.
            for (Planned p : plan) {
                ArtifactDescriptor to = p.member().artifact();
                journal.write(new SwapJournal.Entry(p.bsn(), p.install() ? "" : p.previous(),
                        p.install() ? "" : p.old().sha256(), to.version(), to.sha256(), rolloutId,
                        snapshots.containsKey(p.bsn()), "EXPORTED"));
            }
        } catch (ApplyFailure | IOException | RuntimeException e) {
            quiesced.forEach(migrations::resumeQuietly);
            plan.forEach(p -> removeEntry(p.bsn()));
            return refuseAll(plan.stream().map(Planned::member).toList(), unchanged, "state export on " + nodeId
                    + " failed, nothing changed: " + e.getMessage(), start);
        }
        Map<String, Bundle> installedNow = new LinkedHashMap<>();
        long stateBytes = snapshots.values().stream().mapToLong(StateSnapshot::size).sum();
        try {
            for (int i = plan.size() - 1; i >= 0; i--) {
                if (!plan.get(i).install()) {
                    stopTransient(plan.get(i).bundle());
                }
            }
            int level = context.getBundle().adapt(BundleStartLevel.class).getStartLevel() + 1;
            for (Planned p : plan) {
                if (p.install()) {
                    Bundle b;
                    try (InputStream in = Files.newInputStream(p.member().jar())) {
                        b = context.installBundle(BundleApplier.LOCATION_PREFIX + p.bsn(), in);
                    }
                    installedNow.put(p.bsn(), b);
                    b.adapt(BundleStartLevel.class).setStartLevel(level);
                } else {
                    try (InputStream in = Files.newInputStream(p.member().jar())) {
                        p.bundle().update(in);
                    }
                }
            }
            List<Bundle> all = members(plan, installedNow);
            refresher.refresh(all);
            startAndImport(plan, installedNow, snapshots, ApplyPhase.IMPORT);
            importDependents(dependentState, ApplyPhase.IMPORT);
            for (Bundle b : all) {
                health.verify(b);
            }
            for (Planned p : plan) {
                try {
                    store.recordApplied(p.member().artifact(), rolloutId);
                } catch (IOException e) {
                    // The members run the set either way; the journal entry stays, and the next start sorts it out.
                    LOG.warn("Hotpot: cannot record {} as applied on {}", p.member().artifact().coordinates(), nodeId, e);
                    continue;
                }
                failures.clear(p.bsn());
                removeEntry(p.bsn());
            }
            long pause = (System.nanoTime() - pauseStart) / 1_000;
            String names = plan.stream().map(p -> p.bsn() + " " + (p.install() ? "" : p.previous() + " -> ")
                    + p.member().artifact().version()).toList().toString();
            List<ApplyReport> reports = new ArrayList<>();
            for (Planned p : plan) {
                ArtifactDescriptor d = p.member().artifact();
                reports.add(report(d, p.install() ? ApplyOutcome.INSTALLED : ApplyOutcome.UPDATED, p.previous(),
                        d.version(), "ACTIVE", null, (p.install() ? "installed " : "updated ") + d.coordinates() + " on "
                                + nodeId + " as one set of " + plan.size() + ": " + names + ", one refresh, "
                                + snapshots.size() + " state(s) carried", stateBytes, pause, start));
            }
            unchanged.forEach(m -> reports.add(report(m.artifact(), ApplyOutcome.UNCHANGED, m.artifact().version(),
                    m.artifact().version(), "ACTIVE", null, nodeId + " already runs " + m.artifact().coordinates(), -1, -1,
                    start)));
            return inOrder(reports, members);
        } catch (Exception | LinkageError failure) {
            boolean interrupted = Thread.interrupted();
            ApplyPhase phase = failure instanceof ApplyFailure f ? f.phase()
                    : failure instanceof BundleException be ? BundleApplier.phaseOf(be) : ApplyPhase.UPDATE;
            String cause = "the set failed in phase " + phase + " on " + nodeId + ": " + (failure instanceof BundleException be
                    ? BundleApplier.describe(be) : failure.getMessage() != null ? failure.getMessage() : failure.toString());
            LOG.warn("Hotpot: {}; returning every member of the set", cause, failure);
            try {
                goBack(plan, installedNow, snapshots, dependents, dependentState);
                plan.forEach(p -> {
                    failures.failed(p.bsn(), p.member().artifact().sha256());
                    removeEntry(p.bsn());
                });
                long pause = (System.nanoTime() - pauseStart) / 1_000;
                List<ApplyReport> reports = new ArrayList<>();
                for (Planned p : plan) {
                    reports.add(report(p.member().artifact(), ApplyOutcome.ROLLED_BACK, p.previous(), p.previous(),
                            p.install() ? null : "ACTIVE", phase, cause + "; every member went back" + (p.install()
                                    ? " (" + p.bsn() + " was uninstalled)" : " (" + p.bsn() + " to " + p.previous()
                                    + (snapshots.containsKey(p.bsn()) ? " with its state)" : ")")), stateBytes, pause, start));
                }
                unchanged.forEach(m -> reports.add(report(m.artifact(), ApplyOutcome.ROLLED_BACK, m.artifact().version(),
                        m.artifact().version(), "ACTIVE", phase, cause + "; " + m.artifact().symbolicName()
                                + " ran these bytes already and was not touched", -1, pause, start)));
                return inOrder(reports, members);
            } catch (Exception | LinkageError rollbackFailure) {
                LOG.error("Hotpot: the return of the set on {} failed; the journal keeps its entries", nodeId,
                        rollbackFailure);
                List<ApplyReport> reports = new ArrayList<>();
                for (Planned p : plan) {
                    reports.add(report(p.member().artifact(), ApplyOutcome.FAILED, p.previous(), null, null,
                            ApplyPhase.ROLLBACK, cause + "; RETURN OF THE SET FAILED: " + rollbackFailure, stateBytes, -1,
                            start));
                }
                unchanged.forEach(m -> reports.add(report(m.artifact(), ApplyOutcome.FAILED, m.artifact().version(),
                        m.artifact().version(), null, ApplyPhase.ROLLBACK, cause, -1, -1, start)));
                return inOrder(reports, members);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Every member to its old bytes (installs uninstalled), one refresh, started in order, old states back. */
    private void goBack(List<Planned> plan, Map<String, Bundle> installedNow, Map<String, StateSnapshot> snapshots,
                        List<Bundle> dependents, Map<Bundle, StateSnapshot> dependentState) throws Exception {
        for (int i = plan.size() - 1; i >= 0; i--) {
            Planned p = plan.get(i);
            if (p.install()) {
                Bundle b = installedNow.get(p.bsn());
                if (b != null && b.getState() != Bundle.UNINSTALLED) {
                    b.uninstall();
                }
            } else {
                stopTransient(p.bundle());
            }
        }
        List<Bundle> back = new ArrayList<>();
        for (Planned p : plan) {
            if (!p.install()) {
                try (InputStream in = Files.newInputStream(p.oldJar())) {
                    p.bundle().update(in);
                }
                back.add(p.bundle());
            }
        }
        List<Bundle> refreshed = new ArrayList<>(back);
        installedNow.values().forEach(refreshed::add);
        if (!refreshed.isEmpty()) {
            refresher.refresh(refreshed);
        }
        startAndImport(plan.stream().filter(p -> !p.install()).toList(), Map.of(), snapshots, ApplyPhase.ROLLBACK);
        for (Bundle d : dependents) {
            if (d.getState() != Bundle.ACTIVE && d.getState() != Bundle.STARTING) {
                d.start();
            }
        }
        importDependents(dependentState, ApplyPhase.ROLLBACK);
    }

    /** Starts the members in dependency order, each given its snapshot, each serving before the next. */
    private void startAndImport(List<Planned> plan, Map<String, Bundle> installedNow, Map<String, StateSnapshot> snapshots,
                                ApplyPhase importPhase) throws ApplyFailure, InterruptedException {
        for (Planned p : plan) {
            Bundle b = p.install() ? installedNow.get(p.bsn()) : p.bundle();
            try {
                b.start();
            } catch (BundleException e) {
                throw new ApplyFailure(BundleApplier.phaseOf(e), p.bsn() + ": " + BundleApplier.describe(e), e);
            }
            StateSnapshot snapshot = snapshots.get(p.bsn());
            if (snapshot != null) {
                ServiceReference<StateMigration> ref = migrations.await(b);
                migrations.call(ref, importPhase, "importState() and resume() of " + p.bsn() + " from "
                        + snapshot.bundleVersion(), m -> {
                            m.importState(snapshot);
                            m.resume();
                            return null;
                        });
            }
            List<String> missing = damper.awaitServed(b, timeoutMs);
            if (!missing.isEmpty()) {
                throw new ApplyFailure(ApplyPhase.START, p.bsn() + " " + b.getVersion() + " did not register " + missing
                        + " within " + timeoutMs + " ms", null);
            }
        }
    }

    private void importDependents(Map<Bundle, StateSnapshot> dependentState, ApplyPhase phase)
            throws ApplyFailure, InterruptedException {
        for (Map.Entry<Bundle, StateSnapshot> e : dependentState.entrySet()) {
            Bundle dependent = e.getKey();
            ServiceReference<StateMigration> ref = migrations.await(dependent);
            migrations.call(ref, phase, "importState() and resume() of " + dependent.getSymbolicName(), m -> {
                m.importState(e.getValue());
                m.resume();
                return null;
            });
            List<String> missing = damper.awaitServed(dependent, timeoutMs);
            if (!missing.isEmpty()) {
                throw new ApplyFailure(ApplyPhase.START, dependent.getSymbolicName() + " did not register " + missing
                        + " again within " + timeoutMs + " ms", null);
            }
        }
    }

    /** quiesce() and exportState() of the bundle's migration service, if it has one; remembered for resume(). */
    private Optional<StateSnapshot> export(Bundle bundle, List<Bundle> quiesced) throws ApplyFailure, InterruptedException {
        Optional<ServiceReference<StateMigration>> ref = migrations.find(bundle);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        quiesced.add(bundle);
        StateSnapshot s = migrations.call(ref.get(), ApplyPhase.EXPORT, "quiesce() and exportState() of "
                + bundle.getSymbolicName() + " " + bundle.getVersion(), m -> {
                    m.quiesce();
                    return m.exportState();
                });
        if (s == null) {
            throw new ApplyFailure(ApplyPhase.EXPORT, "exportState() of " + bundle.getSymbolicName() + " returned null", null);
        }
        return Optional.of(s);
    }

    /** A journal entry that cannot be removed is only acted on at the next start, where the records tell what ran. */
    private void removeEntry(String symbolicName) {
        try {
            journal.remove(symbolicName);
        } catch (IOException e) {
            LOG.warn("Hotpot: cannot remove the journal entry of {} on {}", symbolicName, nodeId, e);
        }
    }

    /**
     * Stopped for now, not for good: a node that dies before the member is started again starts it
     * at its next boot, and the journal returns it there (OSGi Core R8 4.4.7, {@code STOP_TRANSIENT}).
     */
    private static void stopTransient(Bundle bundle) throws BundleException {
        if (bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING) {
            bundle.stop(Bundle.STOP_TRANSIENT);
        }
    }

    /** Providers first: a member that imports a package another member exports comes after it; a cycle keeps the given order. */
    private static List<Planned> dependencyOrder(List<Planned> plan) {
        List<Planned> left = new ArrayList<>(plan);
        List<Planned> ordered = new ArrayList<>();
        while (!left.isEmpty()) {
            Planned next = left.stream().filter(p -> left.stream().noneMatch(q -> q != p
                    && !java.util.Collections.disjoint(q.exports(), p.imports()))).findFirst().orElse(left.get(0));
            ordered.add(next);
            left.remove(next);
        }
        return ordered;
    }

    private static Set<String> gated(List<Planned> plan, List<Bundle> dependents) {
        Set<String> names = new java.util.LinkedHashSet<>();
        plan.forEach(p -> names.add(p.bsn()));
        dependents.forEach(d -> names.add(d.getSymbolicName()));
        return names;
    }

    private static List<Bundle> members(List<Planned> plan, Map<String, Bundle> installedNow) {
        List<Bundle> all = new ArrayList<>();
        for (Planned p : plan) {
            all.add(p.install() ? installedNow.get(p.bsn()) : p.bundle());
        }
        return all;
    }

    /** @return the reports in the members' order as given to the set, not in the dependency order */
    private static List<ApplyReport> inOrder(List<ApplyReport> reports, List<SetMember> members) {
        List<String> order = members.stream().map(m -> m.artifact().symbolicName()).toList();
        return reports.stream().sorted(Comparator.comparingInt(r -> order.indexOf(r.artifact().symbolicName()))).toList();
    }

    private List<ApplyReport> refuseAll(List<SetMember> members, String why, long start) {
        return refuseAll(members, List.of(), why, start);
    }

    private List<ApplyReport> refuseAll(List<SetMember> members, List<SetMember> unchanged, String why, long start) {
        List<ApplyReport> reports = new ArrayList<>();
        for (SetMember m : members) {
            reports.add(report(m.artifact(), ApplyOutcome.REJECTED, null, null, null, ApplyPhase.EXPORT,
                    "the set of " + members.size() + " refused on " + nodeId + ": " + why, -1, -1, start));
        }
        unchanged.forEach(m -> reports.add(report(m.artifact(), ApplyOutcome.REJECTED, m.artifact().version(),
                m.artifact().version(), "ACTIVE", ApplyPhase.EXPORT, "the set refused on " + nodeId + ": " + why, -1, -1,
                start)));
        return reports;
    }

    private ApplyReport report(ArtifactDescriptor d, ApplyOutcome outcome, String previous, String running, String state,
                               ApplyPhase failedPhase, String message, long stateBytes, long pauseMicros, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (!outcome.succeeded()) {
            LOG.error("Hotpot: {} {} on node {} [{}]: {}", outcome, d.coordinates(), nodeId, failedPhase, message);
        }
        return new ApplyReport(nodeId, d, outcome, previous, running, state, failedPhase, message, stateBytes,
                pauseMicros, -1, ms);
    }
}
