package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.artifact.Sha256;
import io.hotpot.runtime.gate.CallGate;
import io.hotpot.runtime.gate.ServiceDamper;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.store.SwapJournal;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The apply pipeline of one node, Erlang's {@code sys:suspend / code_change / sys:resume} for an
 * OSGi bundle:
 * <pre>
 *   prepare (gate open):  save the old bytes, dry-run the new imports (the caller's
 *                         RolloutVerifier has checked the bytes, manifest and ticket)
 *   swap (gate closed):   quiesce, export state, journal, Bundle.update, refresh if needed,
 *                         start, wait for the new migration service, import, resume,
 *                         wait until the new revision serves every gated service,
 *                         health gate (ACTIVE, the bundle's own HealthChecks healthy)
 *   gate open:            held calls run, on the new revision, in arrival order
 * </pre>
 * A failure inside the gate goes back the same way to the old bytes and the old state before the
 * gate opens. A journal entry written before the bundle is touched lets {@link #recover} finish
 * the job after a crash: the node comes back on the old version with the old state.
 *
 * <p>Framework semantics relied upon (OSGi Core R8): Life Cycle Layer, {@code Bundle.update}
 * (4.4.9): an ACTIVE bundle is stopped, its new revision installed and started again, and the old
 * revision stays wired to its importers until a refresh; Bundle Wiring API,
 * {@code FrameworkWiring.refreshBundles} (7.7): stops, re-resolves and restarts the dependency
 * closure of removal-pending bundles.
 *
 * <p>Interrupts and failures. The gated part of a swap runs on a thread of its own that nothing
 * interrupts, and the caller waits for it without giving up on an interrupt (Ctrl-C on the console,
 * {@code apply.timeout.ms} on the leader): a swap whose gate is closed always ends in one of its two
 * states, the new revision with its state or the old one with its state, before the gate opens. Any
 * exception after the state was exported, not only the expected ones, goes back to the old bytes
 * and the old snapshot.
 *
 * <p>Thread-safe: applies on one node are serialized (two concurrent updates of one framework
 * could refresh each other's bundles halfway). Lock order: this applier, then a gate.
 */
public final class BundleApplier implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(BundleApplier.class);

    /** Location prefix of bundles Hotpot installs itself. */
    public static final String LOCATION_PREFIX = "hotpot:";

    /**
     * The outcome of a swap, before it becomes a report.
     *
     * @param runs the artifact the bundle runs now, to record once the gate is open; null when the
     *             swap left the bundle untouched or in doubt (then the journal entry stays)
     */
    private record Result(ApplyOutcome outcome, ApplyPhase phase, String message, long stateBytes,
                          ArtifactDescriptor runs) {
    }

    /** Called as the swap reaches each phase: where the fault points are. */
    private interface Progress {
        void reached(String phase) throws IOException, InterruptedException;
    }

    private final String nodeId;
    private final BundleContext context;
    private final ArtifactStore store;
    private final SwapJournal journal;
    private final ArtifactInspector inspector;
    private final ServiceDamper damper;
    private final FaultPoints faults;
    private final MigrationCalls migrations;
    private final Refresher refresher;
    private final ImportCheck importCheck;
    private final HealthGate health;
    private final BundleRemoval removal;
    private final SetSwap sets;
    private final long timeoutMs;
    /**
     * How many migration timeouts {@link #close} waits for a swap in progress: a swap makes at most
     * this many bounded waits (export, service, import, serve, health, and a rollback's own).
     */
    static final int CLOSE_WAIT_TIMEOUTS = 8;
    private final java.util.function.Predicate<Bundle> runtimePart;
    private final io.hotpot.runtime.store.FailureRecord failures;
    /** Where the gated part of each swap runs: never interrupted by the caller, see the class comment. */
    private final java.util.concurrent.ExecutorService swapThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "hotpot-swap");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param nodeId             this node, for reports
     * @param context            the runtime bundle's context
     * @param store              where old and new bytes and snapshots are kept
     * @param journal            the write-ahead record of swaps in progress
     * @param inspector          checks bytes before the framework sees them
     * @param damper             the gates and proxies of managed bundles' services
     * @param faults             test-only pause points
     * @param migrationTimeoutMs bound on each migration call, on waiting for the new service, and
     *                           on waiting for calls in flight when the gate closes, in milliseconds
     * @param healthTimeoutMs    bound on the new revision's health checks, in milliseconds; calls
     *                           stay held meanwhile
     * @param runtimePart        whether a bundle is Hotpot's runtime or what it runs on: such a bundle is
     *                           never updated; a distributed version of its symbolic name is installed beside it
     * @param failures           what failed on this node, kept across restarts
     * @throws IllegalArgumentException if a timeout is not positive
     */
    public BundleApplier(String nodeId, BundleContext context, ArtifactStore store, SwapJournal journal,
                         ArtifactInspector inspector, ServiceDamper damper, FaultPoints faults, long migrationTimeoutMs,
                         long healthTimeoutMs, java.util.function.Predicate<Bundle> runtimePart,
                         io.hotpot.runtime.store.FailureRecord failures) {
        this.runtimePart = runtimePart;
        this.failures = failures;
        this.nodeId = nodeId;
        this.context = context;
        this.store = store;
        this.journal = journal;
        this.inspector = inspector;
        this.damper = damper;
        this.faults = faults;
        this.timeoutMs = migrationTimeoutMs;
        this.migrations = new MigrationCalls(context, migrationTimeoutMs);
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        this.refresher = new Refresher(wiring, migrationTimeoutMs);
        this.importCheck = new ImportCheck(wiring);
        this.health = new HealthGate(context, migrations, healthTimeoutMs);
        this.removal = new BundleRemoval(nodeId, wiring, refresher, store, failures);
        this.sets = new SetSwap(nodeId, context, store, journal, damper, migrations, refresher, health, failures,
                migrationTimeoutMs);
    }

    /**
     * Applies verified bytes to this node. Blocks until the bundle runs the new revision, or the
     * old one again after a rollback.
     *
     * @param rolloutId the distribution this belongs to
     * @param expected  what the leader says the bytes are
     * @param jar       the bytes, already verified against {@code expected} by the caller (signature,
     *                  size, SHA-256, manifest, claimed name: {@code RolloutVerifier}); not checked again
     * @return the outcome; failures are reported, never thrown
     */
    public ApplyReport apply(String rolloutId, ArtifactDescriptor expected, Path jar) {
        return apply(rolloutId, expected, jar, Admission.NONE);
    }

    /**
     * Applies verified bytes to this node if {@code admission} still lets them once this applier's
     * lock is held, and records them through it once they run. Blocks like
     * {@link #apply(String, ArtifactDescriptor, Path)}.
     *
     * @param admission checked under the lock before any bundle is touched; a refusal is reported as
     *                  {@link ApplyOutcome#REJECTED}, with nothing changed; its {@code admitted}
     *                  runs under the lock after a success, not after a rollback
     * @return the outcome; failures are reported, never thrown
     */
    public synchronized ApplyReport apply(String rolloutId, ArtifactDescriptor expected, Path jar, Admission admission) {
        long start = System.nanoTime();
        Optional<String> refused = admission.refusal().get();
        if (refused.isPresent()) {
            Optional<Bundle> now = installed(expected.symbolicName());
            return report(expected, ApplyOutcome.REJECTED, now.map(b -> b.getVersion().toString()).orElse(null),
                    now.orElse(null), ApplyPhase.UPDATE, expected.coordinates() + " refused on " + nodeId
                            + " before anything was touched: " + refused.get(), -1, -1, -1, start);
        }
        ApplyReport report = applyNow(rolloutId, expected, jar, start);
        if (report.outcome().succeeded()) {
            admission.admitted().run();
        }
        return report;
    }

    /**
     * Removes the bundle Hotpot manages under the artifact's symbolic name from this node, for a
     * removal ticket, if {@code admission} still lets it once this applier's lock is held; records it
     * through {@code admission} once it is gone. Blocks until the bundle is uninstalled and refreshed
     * away. A bundle of that name that Hotpot does not manage here (installed by other means, with
     * no applied record) is left alone.
     *
     * @param removed the artifact the cluster ran, as the removal ticket names it
     * @return {@link ApplyOutcome#REMOVED} (also when nothing was installed); {@link ApplyOutcome#REJECTED},
     *         nothing changed, if the admission refuses or other bundles are wired to it (naming
     *         them); {@link ApplyOutcome#FAILED} if the framework refused the uninstall. Never throws.
     */
    public synchronized ApplyReport remove(ArtifactDescriptor removed, Admission admission) {
        long start = System.nanoTime();
        Optional<String> refused = admission.refusal().get();
        Bundle bundle = managed(removed.symbolicName()).orElse(null);
        String version = bundle == null ? null : bundle.getVersion().toString();
        if (refused.isPresent()) {
            return report(removed, ApplyOutcome.REJECTED, version, bundle, ApplyPhase.UPDATE, "removal of "
                    + removed.symbolicName() + " refused on " + nodeId + " before anything was touched: " + refused.get(),
                    -1, -1, -1, start);
        }
        ApplyReport report = removal.remove(removed, bundle, start);
        if (report.outcome().succeeded()) {
            admission.admitted().run();
        }
        return report;
    }

    /**
     * Applies several artifacts as one unit ({@link SetSwap}): one gate closure over every member and
     * the bundles wired to them, every member updated or installed, one
     * {@code FrameworkWiring.refreshBundles} (OSGi Core R8, Bundle Wiring API), members started in
     * dependency order, every state carried, the health gate over all; if anything fails, every
     * member goes back, with its state. Blocks until the set runs, or the old set again.
     *
     * @param members   the artifacts, verified by the caller, one per symbolic name
     * @param admission checked under the lock before anything is touched; {@code admitted} runs once,
     *                  after the whole set runs
     * @return one report per member, in the given order; all succeed, or none does. Never throws
     *         for a failure of the set.
     * @throws IllegalArgumentException if members is empty or names a symbolic name twice
     */
    public synchronized List<ApplyReport> applySet(String rolloutId, List<SetMember> members, Admission admission) {
        long start = System.nanoTime();
        if (members.isEmpty() || members.stream().map(m -> m.artifact().symbolicName()).distinct().count() != members.size()) {
            throw new IllegalArgumentException("a set needs members of distinct symbolic names: " + members);
        }
        Optional<String> refused = admission.refusal().get().or(() -> setRefusal(members));
        if (refused.isPresent()) {
            String why = refused.get();
            return members.stream().map(m -> {
                Optional<Bundle> now = installed(m.artifact().symbolicName());
                return report(m.artifact(), ApplyOutcome.REJECTED, now.map(b -> b.getVersion().toString()).orElse(null),
                        now.orElse(null), ApplyPhase.RESOLVE, "the set of " + members.size() + " refused on " + nodeId
                                + " before anything was touched: " + why, -1, -1, -1, start);
            }).toList();
        }
        List<ApplyReport> reports = onSwapThread(() -> sets.swap(rolloutId, members, this::installed, bundle -> {
            Path bytes = currentBytes(bundle);
            try {
                return Map.entry(bytes, inspector.inspect(bytes, bundle.getLocation()));
            } catch (InvalidArtifactException e) {
                throw new IOException(e.getMessage(), e);
            }
        }, start));
        if (reports.stream().allMatch(r -> r.outcome().succeeded())) {
            admission.admitted().run();
        }
        return reports;
    }

    /**
     * What staging refuses of a set before anything is touched: a fragment, or a member whose
     * mandatory imports neither this framework nor another member provides.
     *
     * @return why, naming the member and this node; empty if the node would apply the set
     */
    public Optional<String> setRefusal(List<SetMember> members) {
        Map<String, java.util.jar.Manifest> manifests = new LinkedHashMap<>();
        for (SetMember m : members) {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(m.jar().toFile())) {
                manifests.put(m.artifact().symbolicName(), jar.getManifest());
            } catch (IOException e) {
                return Optional.of("cannot read " + m.artifact().coordinates() + ": " + e.getMessage());
            }
        }
        for (SetMember m : members) {
            java.util.jar.Manifest manifest = manifests.get(m.artifact().symbolicName());
            String host = manifest.getMainAttributes().getValue("Fragment-Host");
            if (host != null) {
                return refusal(m.artifact(), manifest);
            }
            java.util.Set<String> others = new java.util.HashSet<>();
            manifests.forEach((bsn, other) -> {
                if (!bsn.equals(m.artifact().symbolicName())) {
                    others.addAll(ImportCheck.exportedPackages(other.getMainAttributes()));
                }
            });
            List<String> missing = importCheck.unresolvedImports(manifest.getMainAttributes(), others);
            if (!missing.isEmpty()) {
                return Optional.of(m.artifact().coordinates() + " would not resolve on " + nodeId + ", nothing changed: "
                        + "neither this node nor the set exports the imported package(s) " + String.join(", ", missing));
            }
        }
        return Optional.empty();
    }

    /**
     * What {@link #remove} would refuse before touching anything: other bundles wired to the bundle.
     *
     * @return why, naming the wired bundles and this node; empty if the node would remove it
     */
    public Optional<String> removalRefusal(ArtifactDescriptor removed) {
        return removal.refusal(removed, managed(removed.symbolicName()).orElse(null));
    }

    /** @return the bundle {@link #installed} finds for that name, if Hotpot manages it on this node */
    private Optional<Bundle> managed(String symbolicName) {
        return installed(symbolicName).filter(managedIn(store));
    }

    private ApplyReport applyNow(String rolloutId, ArtifactDescriptor expected, Path jar, long start) {
        try {
            ApplyReport report = doApply(rolloutId, expected, jar, start);
            try {
                if (report.outcome().succeeded()) {
                    failures.clear(expected.symbolicName());
                } else {
                    failures.failed(expected.symbolicName(), expected.sha256());
                }
            } catch (java.io.UncheckedIOException e) {
                LOG.warn("Hotpot: cannot keep the outcome of {} on disk", expected.coordinates(), e);
            }
            return report;
        } catch (InterruptedException e) {
            // Only before the gate closes: nothing was touched.
            Thread.currentThread().interrupt();
            return report(expected, ApplyOutcome.REJECTED, null, null, ApplyPhase.UPDATE,
                    "interrupted before applying " + expected.coordinates() + " on " + nodeId + ", nothing changed",
                    -1, -1, -1, start);
        }
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the installed bundle Hotpot updates for that name: the one at a {@code hotpot:}
     *         location if any, else the highest version that is not part of Hotpot's own runtime
     *         (a library Hotpot runs on keeps its copy; a distributed version goes beside it)
     */
    public Optional<Bundle> installed(String symbolicName) {
        List<Bundle> named = Arrays.stream(context.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName())).toList();
        Optional<Bundle> own = named.stream().filter(b -> b.getLocation().startsWith(LOCATION_PREFIX)).findFirst();
        if (own.isPresent() || named.isEmpty()) {
            return own;
        }
        return named.stream().filter(runtimePart.negate()).max(Comparator.comparing(Bundle::getVersion));
    }

    /**
     * @return whether convergence should leave these bytes alone on this node: their last apply here
     *         failed, or the node died applying them {@link io.hotpot.runtime.store.FailureRecord#DEATHS}
     *         times in a row (a record kept across restarts)
     */
    public boolean failedBefore(ArtifactDescriptor artifact) {
        return failures.avoid(artifact.symbolicName(), artifact.sha256());
    }

    /**
     * @param store the node's artifact store
     * @return the test for bundles Hotpot manages: those it installed, or applied bytes to
     */
    public static java.util.function.Predicate<Bundle> managedIn(ArtifactStore store) {
        return bundle -> bundle.getSymbolicName() != null
                && (bundle.getLocation().startsWith(LOCATION_PREFIX) || store.applied(bundle.getSymbolicName()).isPresent());
    }

    /**
     * Recovers the bytes of the revision a bundle runs now: from the store if Hotpot applied them,
     * else from the bundle's location URL, checked to hold the same symbolic name and version.
     *
     * @return the stored file
     * @throws IOException if no source yields the running revision's bytes
     */
    public Path currentBytes(Bundle bundle) throws IOException {
        Optional<AppliedArtifact> applied = store.applied(bundle.getSymbolicName());
        if (applied.isPresent() && applied.get().artifact().version().equals(bundle.getVersion().toString())) {
            Optional<Path> file = store.artifact(applied.get().artifact().sha256());
            if (file.isPresent()) {
                return file.get();
            }
        }
        Path copy;
        if (bundle.getLocation().startsWith(LOCATION_PREFIX)) {
            // Hotpot installed it from bytes, not from a URL; its record is missing (a node that died between
            // install and record in an older version): the framework still has every entry of the revision.
            return store.put(new java.io.ByteArrayInputStream(entriesOf(bundle)));
        }
        try (InputStream in = new URL(bundle.getLocation()).openStream()) {
            copy = store.put(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read the running bytes of " + bundle.getSymbolicName() + " "
                    + bundle.getVersion() + " from its location " + bundle.getLocation() + ": " + e, e);
        }
        try {
            ArtifactDescriptor found = inspector.inspect(copy, bundle.getLocation());
            if (!found.symbolicName().equals(bundle.getSymbolicName())
                    || !found.version().equals(bundle.getVersion().toString())) {
                throw new IOException("location " + bundle.getLocation() + " now holds " + found.coordinates()
                        + ", not the running " + bundle.getSymbolicName() + "/" + bundle.getVersion());
            }
        } catch (InvalidArtifactException e) {
            throw new IOException(e.getMessage(), e);
        }
        return copy;
    }

    /** @return a jar of the bundle's current revision, made of its entries, its manifest first */
    private static byte[] entriesOf(Bundle bundle) throws IOException {
        URL manifest = bundle.getEntry("META-INF/MANIFEST.MF");
        if (manifest == null) {
            throw new IOException(bundle.getSymbolicName() + " " + bundle.getVersion() + " has no manifest entry");
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (InputStream m = manifest.openStream();
             java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(bytes, new java.util.jar.Manifest(m))) {
            java.util.Enumeration<URL> entries = bundle.findEntries("/", "*", true);
            while (entries != null && entries.hasMoreElements()) {
                URL entry = entries.nextElement();
                String name = entry.getPath().startsWith("/") ? entry.getPath().substring(1) : entry.getPath();
                if (name.isEmpty() || name.equalsIgnoreCase("META-INF/MANIFEST.MF") || name.equalsIgnoreCase("META-INF/")) {
                    continue;
                }
                out.putNextEntry(new java.util.jar.JarEntry(name));
                if (!name.endsWith("/")) {
                    try (InputStream in = entry.openStream()) {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Finishes the swaps that the last stop of the node interrupted (journal entries left behind):
     * each bundle goes back to its old bytes and gets its state snapshot imported, so the node runs
     * the old version with the old state. Closes those bundles' gates first, so no call reaches a
     * bundle that has lost its state, and only then lets {@code gatesClosed} run. Blocks until the
     * framework has started and every entry is handled.
     *
     * @param gatesClosed called once every interrupted bundle's gate is closed
     * @throws InterruptedException if interrupted while waiting for the framework
     */
    public synchronized void recover(Runnable gatesClosed) throws InterruptedException {
        List<SwapJournal.Entry> entries = journal.all();
        List<CallGate> closed = new java.util.ArrayList<>();
        try {
            for (SwapJournal.Entry e : entries) {
                CallGate gate = damper.gate(e.symbolicName());
                gate.close(timeoutMs);
                closed.add(gate);
            }
            gatesClosed.run();
            if (entries.isEmpty()) {
                return;
            }
            awaitFrameworkStarted();
            // The members of one set go back together, as the set's own return would: one at a time,
            // a library reverted under a member that needs its new version would not resolve.
            Map<String, List<SwapJournal.Entry>> byRollout = new LinkedHashMap<>();
            entries.forEach(e -> byRollout.computeIfAbsent(e.rolloutId(), id -> new java.util.ArrayList<>()).add(e));
            for (List<SwapJournal.Entry> group : byRollout.values()) {
                if (group.size() > 1) {
                    sets.recover(group, this::installed, (jar, name) -> {
                        try {
                            return inspector.inspect(jar, name);
                        } catch (InvalidArtifactException x) {
                            throw new IOException(x.getMessage(), x);
                        }
                    });
                } else {
                    recoverOne(group.get(0));
                }
            }
        } finally {
            closed.forEach(CallGate::open);
        }
    }

    /**
     * Lets a swap in progress finish, and starts no other. Returns once that swap has ended (its
     * gate open again, its journal entry gone) or after {@link #CLOSE_WAIT_TIMEOUTS} migration
     * timeouts: a node reconfigured meanwhile must not start its recovery on a journal entry that a
     * live swap still owns, and a stopping runtime must not pull its classes from under the swap.
     * A swap that outlives the wait goes on, and the next start recovers it from its journal.
     * Idempotent; later calls to apply are refused.
     */
    public void finishSwaps() {
        // A swap in progress finishes: its thread is not interrupted, only no new one starts.
        swapThread.shutdown();
        try {
            if (!swapThread.awaitTermination(CLOSE_WAIT_TIMEOUTS * timeoutMs, TimeUnit.MILLISECONDS)) {
                LOG.warn("Hotpot: node {}: a swap still runs {} ms after the node began to close", nodeId,
                        CLOSE_WAIT_TIMEOUTS * timeoutMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #finishSwaps}, then ends the migration calls' threads. */
    @Override
    public void close() {
        finishSwaps();
        migrations.close();
    }

    private ApplyReport doApply(String rolloutId, ArtifactDescriptor expected, Path jar, long start)
            throws InterruptedException {
        String bsn = expected.symbolicName();
        Optional<String> refused = refusal(expected, jar);
        Optional<Bundle> existing = installed(bsn);
        if (refused.isPresent()) {
            return report(expected, ApplyOutcome.REJECTED, existing.map(b -> b.getVersion().toString()).orElse(null),
                    existing.orElse(null), ApplyPhase.RESOLVE, refused.get(), -1, -1, -1, start);
        }
        if (existing.isEmpty()) {
            return install(rolloutId, expected, jar, start);
        }
        Bundle bundle = existing.get();
        String previous = bundle.getVersion().toString();
        Optional<AppliedArtifact> applied = store.applied(bsn);
        if (applied.isPresent() && applied.get().artifact().sha256().equals(expected.sha256())
                && previous.equals(expected.version())) {
            return unchanged(expected, bundle, start);
        }
        if (applied.isEmpty() && previous.equals(expected.version()) && runsBytes(bundle, expected.sha256())) {
            // Installed by other means (a feature, bundle:install) with these very bytes: adopt it.
            recordQuietly(expected, rolloutId);
            return unchanged(expected, bundle, start);
        }
        return update(rolloutId, expected, jar, bundle, previous, start);
    }

    /**
     * Whether this node would refuse the artifact before touching anything: a fragment (Hotpot
     * swaps a bundle with its own class loader, state and services; a fragment has none of these,
     * and updating it would refresh and restart its host outside any gate, losing the host's state),
     * or a bundle whose mandatory imports nothing here provides.
     *
     * @return why, naming the artifact and this node; empty if the node would apply it
     */
    public Optional<String> refusal(ArtifactDescriptor artifact, Path jar) {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            return refusal(artifact, file.getManifest());
        } catch (IOException | RuntimeException e) {
            // Not conclusive: the framework's own install or update decides.
            LOG.debug("Hotpot: fragment and import checks skipped", e);
            return Optional.empty();
        }
    }

    /** @return as {@link #refusal(ArtifactDescriptor, Path)}, for the artifact's manifest */
    public Optional<String> refusal(ArtifactDescriptor artifact, java.util.jar.Manifest manifest) {
        String host = manifest.getMainAttributes().getValue("Fragment-Host");
        if (host != null) {
            return Optional.of(artifact.coordinates() + " is a fragment of " + host.split(";")[0].trim()
                    + " (Fragment-Host) and is refused on " + nodeId + ", nothing changed: a fragment has no state, "
                    + "services or class loader of its own to swap, and updating it restarts its host outside any "
                    + "gate; distribute the host, or install the fragment with its host through a feature");
        }
        try {
            List<String> missing = importCheck.unresolvedImports(manifest.getMainAttributes());
            return missing.isEmpty() ? Optional.empty() : Optional.of(artifact.coordinates() + " would not resolve on "
                    + nodeId + ", nothing changed: no bundle exports the imported package(s) " + String.join(", ", missing));
        } catch (RuntimeException e) {
            LOG.debug("Hotpot: import dry run skipped", e);
            return Optional.empty();
        }
    }

    /**
     * What {@link #apply} or {@link #remove} of the ticket would do here now, changing nothing.
     *
     * @param manifest the artifact's manifest (not read for a removal)
     * @return the preview
     */
    public io.hotpot.api.ApplyPreview preview(io.hotpot.api.RolloutTicket ticket, java.util.jar.Manifest manifest) {
        ArtifactDescriptor a = ticket.artifact();
        if (ticket.removal()) {
            Optional<Bundle> bundle = managed(a.symbolicName());
            return SwapPreview.removal(nodeId, a, bundle.orElse(null), removalRefusal(a), damper);
        }
        Optional<Bundle> bundle = installed(a.symbolicName());
        Optional<String> refused = refusal(a, manifest);
        boolean same = bundle.isPresent() && bundle.get().getVersion().toString().equals(a.version())
                && store.applied(a.symbolicName()).filter(r -> r.artifact().sha256().equals(a.sha256())).isPresent();
        return SwapPreview.run(nodeId, a, bundle.orElse(null), same, refused, context.getBundle(0)
                .adapt(FrameworkWiring.class), damper);
    }

    /**
     * A resolver dry run of the jar's package imports against this framework, as it is now.
     *
     * @return which mandatory imports no installed bundle (nor the jar itself) provides; empty if none,
     *         or if the check was not conclusive (the framework's resolution at update time decides)
     */
    public Optional<String> unresolvedImports(Path jar) {
        try {
            List<String> missing = importCheck.unresolvedImports(jar);
            return missing.isEmpty() ? Optional.empty()
                    : Optional.of("no bundle exports the imported package(s) " + String.join(", ", missing));
        } catch (IOException | RuntimeException e) {
            // Not conclusive: the framework's own resolution at update time decides.
            LOG.debug("Hotpot: import dry run skipped", e);
            return Optional.empty();
        }
    }

    private ApplyReport install(String rolloutId, ArtifactDescriptor d, Path jar, long start) throws InterruptedException {
        Bundle bundle;
        try (InputStream in = Files.newInputStream(jar)) {
            bundle = context.installBundle(LOCATION_PREFIX + d.symbolicName(), in);
        } catch (BundleException | IOException e) {
            return report(d, ApplyOutcome.REJECTED, null, null, ApplyPhase.UPDATE,
                    "install of " + d.coordinates() + " failed: " + e.getMessage(), -1, -1, -1, start);
        }
        try {
            // One level above the runtime: after a restart, Hotpot's gates exist before its bundles start.
            int runtimeLevel = context.getBundle().adapt(BundleStartLevel.class).getStartLevel();
            bundle.adapt(BundleStartLevel.class).setStartLevel(runtimeLevel + 1);
            // Recorded before it starts: a node that dies now knows, at its next start, which bytes it runs.
            store.recordApplied(d, rolloutId);
            bundle.start();
            String healthy = health.verify(bundle);
            return report(d, ApplyOutcome.INSTALLED, null, bundle, null,
                    "installed " + d.coordinates() + " on " + nodeId + (healthy.isEmpty() ? "" : " (healthy: " + healthy + ")"),
                    -1, -1, -1, start);
        } catch (BundleException | IOException | IllegalStateException | ApplyFailure e) {
            ApplyPhase phase = e instanceof ApplyFailure f ? f.phase() : phaseOf(e);
            String why = e instanceof BundleException be ? describe(be) : e.getMessage();
            try {
                bundle.uninstall();
            } catch (BundleException | IllegalStateException ignored) {
                // Already gone: nothing is left behind either way.
            }
            try {
                store.forgetApplied(d.symbolicName());
            } catch (IOException forget) {
                LOG.warn("Hotpot: cannot forget the record of {} after its failed install", d.coordinates(), forget);
            }
            return report(d, ApplyOutcome.ROLLED_BACK, null, null, phase, d.coordinates() + " failed to "
                    + phase.name().toLowerCase() + " on " + nodeId + " and was uninstalled: " + why, -1, -1, -1, start);
        }
    }

    private ApplyReport unchanged(ArtifactDescriptor d, Bundle bundle, long start) {
        String previous = bundle.getVersion().toString();
        try {
            bundle.start();
        } catch (BundleException e) {
            return report(d, ApplyOutcome.FAILED, previous, bundle, phaseOf(e),
                    d.coordinates() + " is installed on " + nodeId + " but does not start: " + e.getMessage(), -1, -1, -1, start);
        }
        return report(d, ApplyOutcome.UNCHANGED, previous, bundle, null,
                nodeId + " already runs " + d.coordinates() + " with sha256 " + d.shortDigest(), -1, -1, -1, start);
    }

    private ApplyReport update(String rolloutId, ArtifactDescriptor d, Path jar, Bundle bundle, String previous,
                               long start) throws InterruptedException {
        // Prepared while calls still flow: everything needed to go back is on disk first.
        Path oldJar;
        ArtifactDescriptor old;
        try {
            oldJar = currentBytes(bundle);
            old = inspector.inspect(oldJar, bundle.getLocation());
        } catch (IOException | InvalidArtifactException e) {
            return report(d, ApplyOutcome.REJECTED, previous, bundle, ApplyPhase.EXPORT,
                    "refusing to update " + d.symbolicName() + " on " + nodeId + ": " + e.getMessage(), -1, -1, -1, start);
        }
        CallGate gate = damper.gate(d.symbolicName());
        // The refresh closure: bundles wired to the running revision, which the refresh restarts.
        List<Bundle> dependents = context.getBundle(0).adapt(FrameworkWiring.class)
                .getDependencyClosure(List.of(bundle)).stream()
                .filter(b -> !b.equals(bundle) && (b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING))
                .sorted(Comparator.comparing(Bundle::getBundleId)).toList();
        Gated gated = onSwapThread(() -> gatedSwap(gate, dependents,
                () -> swap(rolloutId, d, jar, bundle, previous, old, oldJar, dependents), d.symbolicName()));
        if (gated.refused() != null) {
            return report(d, ApplyOutcome.REJECTED, previous, bundle, ApplyPhase.EXPORT,
                    "refusing to update " + d.symbolicName() + " on " + nodeId + ": " + gated.refused(), -1, -1, -1, start);
        }
        Result result = gated.result();
        CallGate.Pause pause = gated.pause();
        // Book-keeping waits until callers run again: a crash before it only makes recovery put
        // back the old version and snapshot, one of the two states a swap may end in.
        if (result.runs() != null) {
            recordQuietly(result.runs(), rolloutId);
            try {
                journal.remove(d.symbolicName());
            } catch (IOException e) {
                LOG.warn("Hotpot: cannot remove the journal entry of {}; the next start restores it", d.symbolicName(), e);
            }
        }
        return report(d, result.outcome(), previous, bundle, result.phase(), result.message(), result.stateBytes(),
                pause.closedNanos() / 1000, pause.heldCalls(), start);
    }

    /** The swap proper, run once every gate is closed. */
    private interface GatedPart {
        Result run() throws InterruptedException;
    }

    /**
     * Closes the bundle's gate, then its dependents' in a fixed order (only the swap thread closes
     * gates), runs the swap, and opens every gate it closed whatever happens, the bundle's last.
     */
    private Gated gatedSwap(CallGate gate, List<Bundle> dependents, GatedPart part, String symbolicName)
            throws InterruptedException {
        List<CallGate> closed = new java.util.ArrayList<>();
        Result result = null;
        String refused = null;
        CallGate.Pause pause = null;
        try {
            try {
                gate.close(timeoutMs);
                closed.add(gate);
                for (Bundle dependent : dependents) {
                    CallGate g = damper.gate(dependent.getSymbolicName());
                    if (!g.isClosedByCurrentThread()) {
                        g.close(timeoutMs);
                        closed.add(g);
                    }
                }
            } catch (IllegalStateException e) {
                refused = e.getMessage();
            }
            if (refused == null) {
                result = part.run();
            }
        } finally {
            for (int i = closed.size() - 1; i >= 0; i--) {
                CallGate.Pause p = closed.get(i).open();
                if (closed.get(i) == gate) {
                    pause = p;
                }
            }
        }
        if (result != null) {
            // Services the revision now running no longer registers go, as they would without Hotpot.
            damper.dropUnserved(symbolicName);
        }
        return new Gated(result, pause, refused);
    }

    /** What the gated part of a swap ended with: a result and its pause, or why the gate did not close. */
    private record Gated(Result result, CallGate.Pause pause, String refused) {
    }

    /**
     * Runs the gated part of a swap on the swap thread and waits for its end, through interrupts,
     * which it re-asserts on return: a swap is bounded by its own timeouts, not by its caller's patience.
     */
    private <T> T onSwapThread(java.util.concurrent.Callable<T> gatedPart) {
        java.util.concurrent.Future<T> done = swapThread.submit(gatedPart);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    LOG.warn("Hotpot: the caller of a swap on {} was interrupted; the swap finishes first", nodeId);
                } catch (java.util.concurrent.ExecutionException e) {
                    // swap() turns every failure into a Result; what reaches here is a defect of Hotpot.
                    throw new IllegalStateException("the swap on " + nodeId + " failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs with the gate closed, on the swap thread. */
    /**
     * Runs with the gates of the bundle and of its active dependents closed, on the swap thread.
     *
     * @param activeDependents the bundles of its refresh closure that run now: they must run again,
     *                         after the update as after a rollback, and those that register a
     *                         migration service get their state back, whether the refresh restarted them or not
     */
    private Result swap(String rolloutId, ArtifactDescriptor d, Path jar, Bundle bundle, String previous,
                        ArtifactDescriptor old, Path oldJar, List<Bundle> activeDependents) throws InterruptedException {
        boolean wasActive = bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING;
        PhaseClock clock = new PhaseClock();
        StateSnapshot snapshot = null;
        Map<Bundle, StateSnapshot> dependentState = new LinkedHashMap<>();
        Optional<ServiceReference<StateMigration>> oldMigration = migrations.find(bundle);
        try {
            if (oldMigration.isPresent()) {
                // One hop to the migration thread, not two: each hop can cost a scheduling quantum under load.
                snapshot = migrations.call(oldMigration.get(), ApplyPhase.EXPORT,
                        "quiesce() and exportState() of " + bsnVersion(bundle), m -> {
                            m.quiesce();
                            return m.exportState();
                        });
                if (snapshot == null) {
                    throw new ApplyFailure(ApplyPhase.EXPORT, "exportState() of " + bsnVersion(bundle) + " returned null", null);
                }
                store.saveSnapshot(snapshot);
            }
            for (Bundle dependent : activeDependents) {
                Optional<ServiceReference<StateMigration>> m = migrations.find(dependent);
                if (m.isPresent()) {
                    StateSnapshot s = migrations.call(m.get(), ApplyPhase.EXPORT, "quiesce() and exportState() of "
                            + bsnVersion(dependent) + ", which imports from " + d.symbolicName(), x -> {
                                x.quiesce();
                                return x.exportState();
                            });
                    if (s == null) {
                        throw new ApplyFailure(ApplyPhase.EXPORT, "exportState() of " + bsnVersion(dependent)
                                + " returned null", null);
                    }
                    dependentState.put(dependent, s);
                }
            }
            journal.write(new SwapJournal.Entry(d.symbolicName(), previous, old.sha256(), d.version(), d.sha256(),
                    rolloutId, snapshot != null, "EXPORTED"));
        } catch (ApplyFailure | IOException | RuntimeException e) {
            migrations.resumeQuietly(bundle);
            dependentState.keySet().forEach(migrations::resumeQuietly);
            return new Result(ApplyOutcome.REJECTED, ApplyPhase.EXPORT, "state export of " + bsnVersion(bundle) + " on "
                    + nodeId + " failed, nothing changed: " + e.getMessage(), -1, null);
        }
        long stateBytes = snapshot == null ? -1 : snapshot.size();
        clock.lap("export");
        faults.reach("AFTER_EXPORT");
        try {
            // The new revision is always started: a distributed bundle is expected ACTIVE on every node.
            // The journal entry is not advanced phase by phase: recovery needs only what it says
            // already, and every write would lengthen the pause.
            switchTo(bundle, jar, true, snapshot, ApplyPhase.IMPORT, clock, phase -> {
                faults.reach(switch (phase) {
                    case "UPDATED" -> "AFTER_UPDATE";
                    case "REFRESHED" -> "AFTER_REFRESH";
                    default -> "DURING_IMPORT";
                });
            });
            importDependents(dependentState, ApplyPhase.IMPORT);
            // Still inside the gate: no call has reached the new revision, so going back to the
            // old snapshot after a failed check loses no write.
            String healthy = health.verify(bundle);
            clock.lap("health");
            return new Result(ApplyOutcome.UPDATED, null, "updated " + d.symbolicName() + " " + previous + " -> "
                    + d.version() + " on " + nodeId + (snapshot == null ? "" : " with " + stateBytes + " bytes of state")
                    + (healthy.isEmpty() ? "" : ", healthy: " + healthy) + " (gate closed: " + clock + ")", stateBytes, d);
        } catch (Exception | LinkageError failure) {
            // Whatever failed, and however (an unexpected exception, an interrupt at close), the journal
            // entry is written: going back now is what keeps the old state.
            boolean interrupted = Thread.interrupted();
            ApplyPhase phase = failure instanceof ApplyFailure f ? f.phase() : ApplyPhase.UPDATE;
            String cause = d.coordinates() + " failed in phase " + phase + " on " + nodeId + ": "
                    + (failure instanceof ApplyFailure || failure instanceof IOException ? failure.getMessage() : failure.toString());
            LOG.warn("Hotpot: {}; rolling back to {} {}", cause, d.symbolicName(), previous, failure);
            try {
                switchTo(bundle, oldJar, wasActive, snapshot, ApplyPhase.ROLLBACK, new PhaseClock(), phase2 -> { });
                for (Bundle dependent : activeDependents) {
                    if (dependent.getState() != Bundle.ACTIVE && dependent.getState() != Bundle.STARTING) {
                        dependent.start();
                    }
                }
                importDependents(dependentState, ApplyPhase.ROLLBACK);
                return new Result(ApplyOutcome.ROLLED_BACK, phase, cause + "; rolled back to " + previous
                        + (snapshot == null ? "" : " with its state"), stateBytes, old);
            } catch (Exception | LinkageError rollbackFailure) {
                LOG.error("Hotpot: rollback of {} to {} on {} failed", d.symbolicName(), previous, nodeId, rollbackFailure);
                return new Result(ApplyOutcome.FAILED, ApplyPhase.ROLLBACK,
                        cause + "; ROLLBACK FAILED: " + rollbackFailure.getMessage(), stateBytes, null);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Hands each dependent its own snapshot back, on whatever revision of it runs now (restarted by
     * the refresh, or not), and waits until it serves its gated services again.
     */
    private void importDependents(Map<Bundle, StateSnapshot> dependentState, ApplyPhase phase)
            throws ApplyFailure, InterruptedException {
        for (Map.Entry<Bundle, StateSnapshot> e : dependentState.entrySet()) {
            Bundle dependent = e.getKey();
            ServiceReference<StateMigration> ref = migrations.await(dependent);
            migrations.call(ref, phase, "importState() and resume() of " + bsnVersion(dependent), m -> {
                m.importState(e.getValue());
                m.resume();
                return null;
            });
            List<String> missing = damper.awaitServed(dependent, timeoutMs);
            if (!missing.isEmpty()) {
                throw new ApplyFailure(ApplyPhase.START, bsnVersion(dependent) + " did not register " + missing
                        + " again within " + timeoutMs + " ms", null);
            }
        }
    }

    /** update, refresh if needed, start, hand the snapshot to the new revision, wait until it serves. */
    private void switchTo(Bundle bundle, Path jar, boolean start, StateSnapshot snapshot, ApplyPhase importPhase,
                          PhaseClock clock, Progress progress) throws ApplyFailure, IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try (InputStream in = Files.newInputStream(jar)) {
                bundle.update(in);
                break;
            } catch (BundleException e) {
                // Felix gives up a resolve when a thread holding its global lock needs this bundle's
                // lock (its deadlock avoidance); that is a lost race, not a verdict on the bytes.
                if (attempt < 3 && String.valueOf(e.getMessage()).contains("global lock")) {
                    LOG.info("Hotpot: {} lost Felix's global lock race; updating again", bsnVersion(bundle));
                    Thread.sleep(20);
                    continue;
                }
                // Updating an ACTIVE bundle restarts it (4.4.9), so update itself reports a revision
                // that cannot resolve or whose activator throws: name that phase.
                throw new ApplyFailure(phaseOf(e), "Bundle.update: " + describe(e), e);
            }
        }
        clock.lap("update");
        progress.reached("UPDATED");
        refresher.refreshIfPending(bundle);
        clock.lap("refresh");
        progress.reached("REFRESHED");
        if (start) {
            try {
                bundle.start();
            } catch (BundleException e) {
                throw new ApplyFailure(phaseOf(e), describe(e), e);
            }
            clock.lap("start");
        }
        if (snapshot != null) {
            ServiceReference<StateMigration> ref = migrations.await(bundle);
            clock.lap("migration service");
            progress.reached("IMPORTING");
            migrations.call(ref, importPhase, "importState() and resume() of " + bsnVersion(bundle) + " from "
                    + snapshot.bundleVersion(), m -> {
                        m.importState(snapshot);
                        m.resume();
                        return null;
                    });
            clock.lap("import");
        }
        if (start) {
            List<String> missing = damper.awaitServed(bundle, timeoutMs);
            clock.lap("serve");
            if (!missing.isEmpty()) {
                throw new ApplyFailure(ApplyPhase.START, bsnVersion(bundle) + " did not register " + missing
                        + " within " + timeoutMs + " ms", null);
            }
        }
    }

    private void recoverOne(SwapJournal.Entry e) {
        String bsn = e.symbolicName();
        if (e.fromVersion().isEmpty()) {
            recoverInstall(e);
            return;
        }
        try {
            Optional<Bundle> bundle = installed(bsn);
            Optional<Path> oldJar = store.artifact(e.fromSha256());
            if (bundle.isEmpty() || oldJar.isEmpty()) {
                LOG.error("Hotpot: cannot recover the interrupted swap of {} on {}: {}", bsn, nodeId,
                        bundle.isEmpty() ? "the bundle is not installed" : "the old bytes are missing");
                journal.remove(bsn);
                return;
            }
            Bundle b = bundle.get();
            Optional<AppliedArtifact> applied = store.applied(bsn);
            if (applied.isPresent() && applied.get().artifact().sha256().equals(e.toSha256())
                    && b.getVersion().toString().equals(e.toVersion())) {
                // The swap ended and was recorded; only removing its entry failed, or the node died just before.
                // Going back now would throw away every write the new revision took since.
                journal.remove(bsn);
                LOG.info("Hotpot: node {}: the swap of {} to {} had completed and was recorded; its journal entry "
                        + "is removed, nothing is reverted", nodeId, bsn, e.toVersion());
                return;
            }
            Optional<StateSnapshot> snapshot = e.hasSnapshot() ? store.loadSnapshot(bsn) : Optional.empty();
            if (b.getVersion().toString().equals(e.fromVersion()) && !e.fromVersion().equals(e.toVersion())) {
                // The version tells the revisions apart, and the old one runs: only its state needs to come back.
                b.start();
                if (snapshot.isPresent()) {
                    ServiceReference<StateMigration> ref = migrations.await(b);
                    migrations.call(ref, ApplyPhase.ROLLBACK, "importState() and resume()", m -> {
                        m.importState(snapshot.get());
                        m.resume();
                        return null;
                    });
                }
            } else {
                switchTo(b, oldJar.get(), true, snapshot.orElse(null), ApplyPhase.ROLLBACK, new PhaseClock(), phase -> { });
            }
            recordQuietly(inspector.inspect(oldJar.get(), bsn), e.rolloutId());
            if (!e.toSha256().equals(e.fromSha256())) {
                // The node died while it applied these bytes: perhaps because of them. Once more at most, on its own.
                failures.died(bsn, e.toSha256());
            }
            journal.remove(bsn);
            LOG.warn("Hotpot: node {} recovered {} {} with its state ({}) after its swap to {} was interrupted in phase {}",
                    nodeId, bsn, e.fromVersion(), snapshot.map(s -> s.size() + " bytes").orElse("no state"), e.toVersion(),
                    e.phase());
        } catch (Exception x) {
            if (x instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.error("Hotpot: recovery of {} on {} failed; the journal entry is kept for the next start", bsn, nodeId, x);
        }
    }

    /**
     * An install that a set swap journaled (no old version): the node died before the set ran, so the
     * member is uninstalled again, as the set's return would have done; a set that had completed and
     * recorded the member only lost the entry's removal.
     */
    private void recoverInstall(SwapJournal.Entry e) {
        String bsn = e.symbolicName();
        try {
            Optional<Bundle> bundle = installed(bsn);
            boolean recorded = store.applied(bsn).filter(a -> a.artifact().sha256().equals(e.toSha256())).isPresent();
            if (recorded && bundle.isPresent() && bundle.get().getVersion().toString().equals(e.toVersion())) {
                journal.remove(bsn);
                return;
            }
            if (bundle.isPresent() && bundle.get().getLocation().startsWith(LOCATION_PREFIX)) {
                bundle.get().uninstall();
            }
            store.forgetApplied(bsn);
            journal.remove(bsn);
            LOG.warn("Hotpot: node {} uninstalled {} {} again: it was installed as a member of a set whose swap was "
                    + "interrupted", nodeId, bsn, e.toVersion());
        } catch (Exception x) {
            LOG.error("Hotpot: recovery of the install of {} on {} failed; the journal entry is kept for the next start",
                    bsn, nodeId, x);
        }
    }

    private void awaitFrameworkStarted() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (context.getBundle(0).getState() != Bundle.ACTIVE && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private boolean runsBytes(Bundle bundle, String sha256) {
        try {
            return Sha256.of(currentBytes(bundle)).equals(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    private void recordQuietly(ArtifactDescriptor d, String rolloutId) {
        try {
            store.recordApplied(d, rolloutId);
        } catch (IOException e) {
            LOG.warn("Hotpot: cannot record {} as applied", d.coordinates(), e);
        }
    }

    static ApplyPhase phaseOf(Exception e) {
        if (e instanceof BundleException be) {
            return switch (be.getType()) {
                case BundleException.RESOLVE_ERROR -> ApplyPhase.RESOLVE;
                case BundleException.ACTIVATOR_ERROR, BundleException.STATECHANGE_ERROR -> ApplyPhase.START;
                default -> ApplyPhase.UPDATE;
            };
        }
        return ApplyPhase.START;
    }

    /** The framework's message, plus the activator's own exception, which says what went wrong. */
    static String describe(BundleException e) {
        Throwable cause = e.getCause();
        return cause == null ? e.getMessage() : e.getMessage() + " Caused by " + cause;
    }

    private static String bsnVersion(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    private ApplyReport report(ArtifactDescriptor d, ApplyOutcome outcome, String previous, Bundle bundle,
                               ApplyPhase failedPhase, String message, long stateBytes, long pauseMicros,
                               int heldCalls, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        String running = bundle == null || bundle.getState() == Bundle.UNINSTALLED ? previous : bundle.getVersion().toString();
        String state = bundle == null ? null : BundleStates.name(bundle.getState());
        ApplyReport r = new ApplyReport(nodeId, d, outcome, previous, running, state, failedPhase, message, stateBytes,
                pauseMicros, heldCalls, ms);
        if (outcome.succeeded()) {
            LOG.info("Hotpot: {} ({} ms, gate closed {} us)", message, ms, pauseMicros);
        } else {
            LOG.error("Hotpot: {} {} on node {} [{}]: {}", outcome, d.coordinates(), nodeId, failedPhase, message);
        }
        return r;
    }
}
