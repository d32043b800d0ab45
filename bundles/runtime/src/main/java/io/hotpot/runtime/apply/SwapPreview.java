package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPreview;
import io.hotpot.api.ApplyPreview.Change;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.gate.ServiceDamper;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Works out, from the framework as it is now, what the {@link BundleApplier} would do with an
 * artifact, for {@code --dry-run}: the same closure {@code update} gates (the bundles wired to the
 * running revision, OSGi Core R8 Bundle Wiring API, {@code getDependencyClosure}), and whether the
 * {@link Refresher} would refresh it (only when the old revision would stay removal-pending: it
 * provides a wire to another bundle). Reads only; stateless and thread-safe.
 */
final class SwapPreview {

    private SwapPreview() {
    }

    /**
     * @param bundle  the bundle the applier would update under that name, or null (it would install)
     * @param same    whether the node runs these exact bytes already
     * @param refused what staging would refuse, if anything
     */
    static ApplyPreview run(String nodeId, ArtifactDescriptor a, Bundle bundle, boolean same, Optional<String> refused,
                            FrameworkWiring wiring, ServiceDamper damper) {
        String running = bundle == null ? null : bundle.getVersion().toString();
        if (refused.isPresent()) {
            return new ApplyPreview(nodeId, a, Change.REFUSE, running, List.of(), List.of(), refused.get());
        }
        if (bundle == null) {
            return new ApplyPreview(nodeId, a, Change.INSTALL, null, List.of(), List.of(),
                    "would install " + a.coordinates() + " on " + nodeId);
        }
        if (same) {
            return new ApplyPreview(nodeId, a, Change.UNCHANGED, running, List.of(), List.of(),
                    nodeId + " already runs " + a.coordinates() + " with sha256 " + a.shortDigest());
        }
        List<Bundle> closure = wiring.getDependencyClosure(List.of(bundle)).stream().filter(b -> !b.equals(bundle))
                .sorted(Comparator.comparing(Bundle::getBundleId)).toList();
        List<Bundle> gated = new ArrayList<>(List.of(bundle));
        closure.stream().filter(b -> b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING).forEach(gated::add);
        TreeSet<String> services = new TreeSet<>();
        gated.forEach(b -> services.addAll(damper.proxied(b.getSymbolicName())));
        List<String> refreshed = providesToOthers(bundle) ? closure.stream().map(SwapPreview::name).toList() : List.of();
        return new ApplyPreview(nodeId, a, Change.UPDATE, running, refreshed, List.copyOf(services),
                "would update " + a.symbolicName() + " " + running + " -> " + a.version() + " on " + nodeId
                        + (refreshed.isEmpty() ? ", no refresh" : ", refreshing " + refreshed.size() + " other bundle(s)")
                        + ", holding calls to " + services.size() + " service(s)");
    }

    /**
     * @param bundle  the bundle Hotpot manages under that name here, or null
     * @param refused why it cannot be removed, if so
     */
    static ApplyPreview removal(String nodeId, ArtifactDescriptor a, Bundle bundle, Optional<String> refused,
                                ServiceDamper damper) {
        if (bundle == null) {
            return new ApplyPreview(nodeId, a, Change.ABSENT, null, List.of(), List.of(),
                    nodeId + " has no " + a.symbolicName() + " that Hotpot manages: nothing to remove");
        }
        String running = bundle.getVersion().toString();
        if (refused.isPresent()) {
            return new ApplyPreview(nodeId, a, Change.REFUSE, running, List.of(), List.of(), refused.get());
        }
        List<String> services = damper.proxied(bundle.getSymbolicName());
        return new ApplyPreview(nodeId, a, Change.REMOVE, running, List.of(), services, "would uninstall "
                + a.symbolicName() + " " + running + " from " + nodeId + "; " + services.size() + " service(s) go with it");
    }

    /** Whether the running revision has a wire to another bundle: after an update it stays removal-pending. */
    private static boolean providesToOthers(Bundle bundle) {
        BundleWiring w = bundle.adapt(BundleWiring.class);
        if (w == null) {
            return false;
        }
        for (BundleWire wire : w.getProvidedWires(null)) {
            if (!wire.getRequirerWiring().getBundle().equals(bundle)) {
                return true;
            }
        }
        return false;
    }

    private static String name(Bundle b) {
        return b.getSymbolicName() + " " + b.getVersion() + " (bundle " + b.getBundleId() + ")";
    }
}
