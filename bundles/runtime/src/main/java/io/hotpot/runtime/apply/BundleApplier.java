package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.store.AppliedArtifact;
import io.hotpot.runtime.store.ArtifactStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
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
import java.util.Optional;

/**
 * The apply pipeline of one node: verify, save the old bytes and state, {@code Bundle.update},
 * refresh, start, import the state; or, on failure, the same steps back to the old bytes and state.
 *
 * <p>Framework semantics relied upon (OSGi Core R8):
 * <ul>
 *   <li>Life Cycle Layer, {@code Bundle.update(InputStream)} (section 4.4.9): an ACTIVE bundle is
 *       stopped, its new revision installed, and started again; the old revision stays wired to
 *       its importers until a refresh;</li>
 *   <li>Bundle Wiring API, {@code FrameworkWiring.refreshBundles} (section 7.7): stops, re-resolves
 *       and restarts the dependency closure of bundles whose old revision is removal pending.</li>
 * </ul>
 *
 * <p>Thread-safe: applies on one node are serialized, since two concurrent updates of one framework
 * could refresh each other's bundles halfway.
 */
public final class BundleApplier implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(BundleApplier.class);

    /** Location prefix of bundles Hotpot installs itself. */
    public static final String LOCATION_PREFIX = "hotpot:";

    private final String nodeId;
    private final BundleContext context;
    private final ArtifactStore store;
    private final ArtifactInspector inspector;
    private final MigrationCalls migrations;
    private final Refresher refresher;

    /**
     * @param nodeId             this node, for reports
     * @param context            the runtime bundle's context
     * @param store              where old and new bytes and snapshots are kept
     * @param inspector          checks bytes before the framework sees them
     * @param migrationTimeoutMs bound on each migration call and on waiting for the new service, ms
     */
    public BundleApplier(String nodeId, BundleContext context, ArtifactStore store, ArtifactInspector inspector,
                         long migrationTimeoutMs) {
        this.nodeId = nodeId;
        this.context = context;
        this.store = store;
        this.inspector = inspector;
        this.migrations = new MigrationCalls(context, migrationTimeoutMs);
        this.refresher = new Refresher(context.getBundle(0).adapt(FrameworkWiring.class), migrationTimeoutMs);
    }

    /**
     * Applies verified bytes to this node. Blocks until the bundle runs the new revision, or the
     * old one again after a rollback.
     *
     * @param rolloutId the distribution this belongs to
     * @param expected  what the leader says the bytes are
     * @param jar       the bytes, already checked against {@code expected.sha256()} and size
     * @return the outcome; failures are reported, never thrown
     */
    public synchronized ApplyReport apply(String rolloutId, ArtifactDescriptor expected, Path jar) {
        long start = System.nanoTime();
        try {
            return doApply(rolloutId, expected, jar, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return report(expected, ApplyOutcome.FAILED, null, null, ApplyPhase.UPDATE,
                    "interrupted while applying " + expected.coordinates(), -1, start);
        }
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the installed bundle Hotpot updates for that name: the one at a {@code hotpot:}
     *         location if any, else the highest version
     */
    public Optional<Bundle> installed(String symbolicName) {
        return Arrays.stream(context.getBundles())
                .filter(b -> symbolicName.equals(b.getSymbolicName()))
                .max(Comparator.comparing((Bundle b) -> b.getLocation().startsWith(LOCATION_PREFIX))
                        .thenComparing(Bundle::getVersion));
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

    @Override
    public void close() {
        migrations.close();
    }

    private ApplyReport doApply(String rolloutId, ArtifactDescriptor expected, Path jar, long start)
            throws InterruptedException {
        String bsn = expected.symbolicName();
        try {
            ArtifactDescriptor actual = inspector.inspect(jar, expected.coordinates());
            if (!actual.equals(expected)) {
                return report(expected, ApplyOutcome.REJECTED, null, null, ApplyPhase.VERIFY,
                        "the bytes describe " + actual.coordinates() + " sha256 " + actual.shortDigest()
                                + ", not the announced " + expected.coordinates() + " sha256 " + expected.shortDigest(), -1, start);
            }
        } catch (InvalidArtifactException | IOException e) {
            return report(expected, ApplyOutcome.REJECTED, null, null, ApplyPhase.VERIFY, e.getMessage(), -1, start);
        }
        if (bsn.equals(context.getBundle().getSymbolicName()) || bsn.equals(context.getBundle(0).getSymbolicName())) {
            return report(expected, ApplyOutcome.REJECTED, null, null, ApplyPhase.VERIFY,
                    "Hotpot does not update " + bsn + ": it is the framework or Hotpot itself", -1, start);
        }
        Optional<Bundle> existing = installed(bsn);
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
            try {
                store.recordApplied(expected, rolloutId);
            } catch (IOException e) {
                LOG.warn("Hotpot: cannot record {} as applied", expected.coordinates(), e);
            }
            return unchanged(expected, bundle, start);
        }
        return update(rolloutId, expected, jar, bundle, previous, start);
    }

    private ApplyReport install(String rolloutId, ArtifactDescriptor d, Path jar, long start) throws InterruptedException {
        Bundle bundle;
        try (InputStream in = Files.newInputStream(jar)) {
            bundle = context.installBundle(LOCATION_PREFIX + d.symbolicName(), in);
        } catch (BundleException | IOException e) {
            return report(d, ApplyOutcome.REJECTED, null, null, ApplyPhase.UPDATE,
                    "install of " + d.coordinates() + " failed: " + e.getMessage(), -1, start);
        }
        try {
            bundle.start();
            store.recordApplied(d, rolloutId);
            return report(d, ApplyOutcome.INSTALLED, null, bundle, null,
                    "installed " + d.coordinates() + " on " + nodeId, -1, start);
        } catch (BundleException | IOException e) {
            ApplyPhase phase = phaseOf(e);
            try {
                bundle.uninstall();
            } catch (BundleException | IllegalStateException ignored) {
                // Already gone: nothing is left behind either way.
            }
            return report(d, ApplyOutcome.ROLLED_BACK, null, null, phase, d.coordinates() + " failed to "
                    + phase.name().toLowerCase() + " on " + nodeId + " and was uninstalled: " + e.getMessage(), -1, start);
        }
    }

    private ApplyReport unchanged(ArtifactDescriptor d, Bundle bundle, long start) {
        String previous = bundle.getVersion().toString();
        try {
            bundle.start();
        } catch (BundleException e) {
            return report(d, ApplyOutcome.FAILED, previous, bundle, phaseOf(e),
                    d.coordinates() + " is installed on " + nodeId + " but does not start: " + e.getMessage(), -1, start);
        }
        return report(d, ApplyOutcome.UNCHANGED, previous, bundle, null,
                nodeId + " already runs " + d.coordinates() + " with sha256 " + d.shortDigest(), -1, start);
    }

    private ApplyReport update(String rolloutId, ArtifactDescriptor d, Path jar, Bundle bundle, String previous,
                               long start) throws InterruptedException {
        boolean wasActive = bundle.getState() == Bundle.ACTIVE || bundle.getState() == Bundle.STARTING;
        // EXPORT: everything needed to go back is on disk before the bundle is touched.
        Path oldJar;
        try {
            oldJar = currentBytes(bundle);
        } catch (IOException e) {
            return report(d, ApplyOutcome.REJECTED, previous, bundle, ApplyPhase.EXPORT,
                    "refusing to update " + d.symbolicName() + " on " + nodeId + ": " + e.getMessage(), -1, start);
        }
        StateSnapshot snapshot = null;
        Optional<ServiceReference<StateMigration>> oldMigration = migrations.find(bundle);
        if (oldMigration.isPresent()) {
            try {
                migrations.call(oldMigration.get(), ApplyPhase.EXPORT, "quiesce() of " + bsnVersion(bundle), m -> {
                    m.quiesce();
                    return null;
                });
                snapshot = migrations.call(oldMigration.get(), ApplyPhase.EXPORT, "exportState() of " + bsnVersion(bundle),
                        StateMigration::exportState);
                store.saveSnapshot(snapshot);
            } catch (ApplyFailure | IOException e) {
                resumeQuietly(bundle);
                return report(d, ApplyOutcome.REJECTED, previous, bundle, ApplyPhase.EXPORT,
                        "state export of " + bsnVersion(bundle) + " on " + nodeId + " failed, nothing changed: "
                                + e.getMessage(), -1, start);
            }
        }
        int stateBytes = snapshot == null ? -1 : snapshot.size();
        try {
            // The new revision is always started: a distributed bundle is expected ACTIVE on every node.
            switchTo(bundle, jar, true, snapshot, ApplyPhase.IMPORT);
            store.recordApplied(d, rolloutId);
            return report(d, ApplyOutcome.UPDATED, previous, bundle, null, "updated " + d.symbolicName() + " "
                    + previous + " -> " + d.version() + " on " + nodeId
                    + (snapshot == null ? "" : " with " + stateBytes + " bytes of state"), stateBytes, start);
        } catch (ApplyFailure | IOException failure) {
            ApplyPhase phase = failure instanceof ApplyFailure f ? f.phase() : ApplyPhase.UPDATE;
            String cause = d.coordinates() + " failed in phase " + phase + " on " + nodeId + ": " + failure.getMessage();
            LOG.warn("Hotpot: {}; rolling back to {} {}", cause, d.symbolicName(), previous);
            try {
                switchTo(bundle, oldJar, wasActive, snapshot, ApplyPhase.ROLLBACK);
                return report(d, ApplyOutcome.ROLLED_BACK, previous, bundle, phase,
                        cause + "; rolled back to " + previous + " with its state", stateBytes, start);
            } catch (ApplyFailure | IOException rollbackFailure) {
                LOG.error("Hotpot: rollback of {} to {} on {} failed", d.symbolicName(), previous, nodeId, rollbackFailure);
                return report(d, ApplyOutcome.FAILED, previous, bundle, ApplyPhase.ROLLBACK,
                        cause + "; ROLLBACK FAILED: " + rollbackFailure.getMessage(), stateBytes, start);
            }
        }
    }

    /** update, refresh if needed, start, then hand the snapshot to the new revision's migration service. */
    private void switchTo(Bundle bundle, Path jar, boolean start, StateSnapshot snapshot, ApplyPhase importPhase)
            throws ApplyFailure, IOException, InterruptedException {
        try (InputStream in = Files.newInputStream(jar)) {
            bundle.update(in);
        } catch (BundleException e) {
            // Updating an ACTIVE bundle restarts it (Core R8 4.4.9), so update itself reports a
            // revision that cannot resolve or whose activator throws: name that phase.
            ApplyPhase phase = switch (e.getType()) {
                case BundleException.RESOLVE_ERROR -> ApplyPhase.RESOLVE;
                case BundleException.ACTIVATOR_ERROR, BundleException.STATECHANGE_ERROR -> ApplyPhase.START;
                default -> ApplyPhase.UPDATE;
            };
            throw new ApplyFailure(phase, "Bundle.update: " + e.getMessage(), e);
        }
        refresher.refreshIfPending(bundle);
        if (start) {
            try {
                bundle.start();
            } catch (BundleException e) {
                throw new ApplyFailure(phaseOf(e), e.getMessage(), e);
            }
        }
        if (snapshot != null) {
            ServiceReference<StateMigration> ref = migrations.await(bundle);
            String who = bsnVersion(bundle);
            migrations.call(ref, importPhase, "importState() of " + who + " from " + snapshot.bundleVersion(), m -> {
                m.importState(snapshot);
                return null;
            });
            migrations.call(ref, importPhase, "resume() of " + who, m -> {
                m.resume();
                return null;
            });
        }
    }

    private boolean runsBytes(Bundle bundle, String sha256) {
        try {
            return io.hotpot.runtime.artifact.Sha256.of(currentBytes(bundle)).equals(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    private void resumeQuietly(Bundle bundle) {
        migrations.find(bundle).ifPresent(ref -> {
            try {
                migrations.call(ref, ApplyPhase.EXPORT, "resume()", m -> {
                    m.resume();
                    return null;
                });
            } catch (ApplyFailure e) {
                LOG.warn("Hotpot: resume() of {} after a failed export threw", bsnVersion(bundle), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static ApplyPhase phaseOf(Exception e) {
        return e instanceof BundleException be && be.getType() == BundleException.RESOLVE_ERROR
                ? ApplyPhase.RESOLVE : ApplyPhase.START;
    }

    private static String bsnVersion(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    private ApplyReport report(ArtifactDescriptor d, ApplyOutcome outcome, String previous, Bundle bundle,
                               ApplyPhase failedPhase, String message, long stateBytes, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        String running = bundle == null || bundle.getState() == Bundle.UNINSTALLED ? previous : bundle.getVersion().toString();
        String state = bundle == null ? null : BundleStates.name(bundle.getState());
        ApplyReport r = new ApplyReport(nodeId, d, outcome, previous, running, state, failedPhase, message, stateBytes, ms);
        if (outcome.succeeded()) {
            LOG.info("Hotpot: {} ({} ms)", message, ms);
        } else {
            LOG.error("Hotpot: {} {} on node {} [{}]: {}", outcome, d.coordinates(), nodeId, failedPhase, message);
        }
        return r;
    }
}
