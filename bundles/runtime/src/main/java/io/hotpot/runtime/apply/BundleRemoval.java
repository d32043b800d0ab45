package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.store.FailureRecord;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Removes a managed bundle from this node, for a removal ticket ({@code hot:undeploy}): refused,
 * with nothing changed, while other bundles are wired to it; otherwise uninstalled (OSGi Core R8,
 * 4.4.9 Uninstalling Bundles: the bundle is stopped, its services unregistered) and refreshed if a
 * revision of it stayed removal-pending (Bundle Wiring API, {@code FrameworkWiring.refreshBundles}).
 * Its services' proxies go with the services, as the services would without Hotpot (the gate is
 * open). Its bytes stay in the store, kept for {@code hot:rollback}; its applied record goes, so
 * that the node no longer counts it as managed. Its in-memory state is lost with it: that is what a
 * removal is.
 *
 * <p>Idempotent: a second removal of an absent bundle reports {@link ApplyOutcome#REMOVED} again. A
 * node that dies between the uninstall and forgetting the record finishes it at its next
 * convergence pass. Not thread-safe by itself: the {@link BundleApplier} calls it under its lock.
 */
final class BundleRemoval {

    private static final Logger LOG = LoggerFactory.getLogger(BundleRemoval.class);

    private final String nodeId;
    private final FrameworkWiring wiring;
    private final Refresher refresher;
    private final ArtifactStore store;
    private final FailureRecord failures;

    BundleRemoval(String nodeId, FrameworkWiring wiring, Refresher refresher, ArtifactStore store,
                  FailureRecord failures) {
        this.nodeId = nodeId;
        this.wiring = wiring;
        this.refresher = refresher;
        this.store = store;
        this.failures = failures;
    }

    /**
     * @param bundle the bundle Hotpot manages under the artifact's name here, or null if none
     * @return why the bundle cannot be removed now, naming the bundles wired to it; empty if it can
     */
    Optional<String> refusal(ArtifactDescriptor removed, Bundle bundle) {
        if (bundle == null) {
            return Optional.empty();
        }
        // Every bundle a refresh after the uninstall would restart or leave unresolved: the importers
        // of its packages, the requirers of its capabilities, its fragments, and theirs in turn.
        List<String> wired = wiring.getDependencyClosure(List.of(bundle)).stream().filter(b -> !b.equals(bundle))
                .sorted(Comparator.comparing(Bundle::getBundleId))
                .map(b -> b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId() + ")").toList();
        if (wired.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("cannot remove " + bundle.getSymbolicName() + " " + bundle.getVersion() + " from " + nodeId
                + ", nothing changed: " + wired.size() + " bundle(s) are wired to it and would lose their wiring: "
                + String.join(", ", wired) + "; undeploy those first, or distribute versions that no longer need it");
    }

    /**
     * Removes the bundle. Blocks until it is uninstalled and, if needed, refreshed away.
     *
     * @param bundle the bundle Hotpot manages under the artifact's name here, or null if none
     * @return {@link ApplyOutcome#REMOVED}; {@link ApplyOutcome#REJECTED} if it is still needed
     *         (nothing changed); {@link ApplyOutcome#FAILED} if the framework refused the uninstall
     */
    ApplyReport remove(ArtifactDescriptor removed, Bundle bundle, long start) {
        if (bundle == null) {
            forget(removed);
            return report(removed, ApplyOutcome.REMOVED, null, null, null, null, nodeId + " has no " + removed.symbolicName()
                    + " installed: nothing to remove", start);
        }
        String version = bundle.getVersion().toString();
        Optional<String> refused = refusal(removed, bundle);
        if (refused.isPresent()) {
            return report(removed, ApplyOutcome.REJECTED, version, version, BundleStates.name(bundle.getState()),
                    ApplyPhase.RESOLVE, refused.get(), start);
        }
        try {
            bundle.uninstall();
        } catch (BundleException | IllegalStateException e) {
            if (bundle.getState() == Bundle.UNINSTALLED) {
                // An activator whose stop threw: the framework uninstalls the bundle anyway (4.4.9).
                LOG.warn("Hotpot: {} threw while it stopped for its removal from {}: {}", removed.symbolicName(), nodeId,
                        e.toString());
            } else {
                return report(removed, ApplyOutcome.FAILED, version, version, BundleStates.name(bundle.getState()),
                        ApplyPhase.UPDATE, "the framework refused to uninstall " + removed.symbolicName() + " " + version
                                + " on " + nodeId + ": " + e.getMessage(), start);
            }
        }
        forget(removed);
        try {
            refresher.refreshIfPending(bundle);
        } catch (ApplyFailure e) {
            // Uninstalled either way; a revision left removal-pending is what hot:wiring shows.
            LOG.warn("Hotpot: {} is uninstalled from {}, but its refresh did not finish: {}", removed.symbolicName(), nodeId,
                    e.getMessage());
        } catch (InterruptedException e) {
            // The refresh goes on in the framework; the uninstall is done either way.
            Thread.currentThread().interrupt();
        }
        return report(removed, ApplyOutcome.REMOVED, version, null, null, null, "removed " + removed.symbolicName() + " "
                + version + " from " + nodeId + " (uninstalled; its in-memory state went with it, its bytes stay kept "
                + "for hot:rollback)", start);
    }

    private void forget(ArtifactDescriptor removed) {
        try {
            store.forgetApplied(removed.symbolicName());
            failures.clear(removed.symbolicName());
        } catch (IOException | java.io.UncheckedIOException e) {
            // The next convergence pass finds the record, no bundle and the removal, and forgets it then.
            LOG.warn("Hotpot: cannot forget the record of {} on {}: {}", removed.symbolicName(), nodeId, e.toString());
        }
    }

    private ApplyReport report(ArtifactDescriptor d, ApplyOutcome outcome, String previous, String running,
                               String state, ApplyPhase failedPhase, String message, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (outcome.succeeded()) {
            LOG.info("Hotpot: {} ({} ms)", message, ms);
        } else {
            LOG.error("Hotpot: {} removal of {} on node {} [{}]: {}", outcome, d.coordinates(), nodeId, failedPhase, message);
        }
        return new ApplyReport(nodeId, d, outcome, previous, running, state, failedPhase, message, -1, -1, -1, ms);
    }
}
