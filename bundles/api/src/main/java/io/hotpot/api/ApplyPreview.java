package io.hotpot.api;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What one node would do with a rollout's artifact, worked out without changing anything on it
 * ({@code hot:distribute --dry-run}, {@code hot:undeploy --dry-run}): the same checks a staging
 * makes (the resolver dry run of the imports, a fragment, bundles wired to a bundle to remove), and
 * what the apply would touch: the bundles a refresh would restart (OSGi Core R8, Bundle Wiring API,
 * {@code FrameworkWiring.getDependencyClosure}) and the services whose calls the gate would hold.
 * A preview is as of the moment it was made: the apply decides again. Immutable and thread-safe.
 *
 * @param nodeId         the node
 * @param artifact       the artifact the rollout would carry
 * @param change         what the node would do
 * @param runningVersion the version of the bundle the node runs under that symbolic name now, or null
 * @param refreshed      the bundles other than this one that the apply would refresh and restart,
 *                       as {@code "<bsn> <version> (bundle <id>)"}, in bundle id order; empty when the
 *                       update needs no refresh
 * @param services       for a run, the interfaces of the services whose calls the gate would hold
 *                       (the bundle's and its refresh closure's Hotpot proxies); for a removal, those
 *                       that would go with the bundle; sorted
 * @param reason         why the node would refuse, or could not be asked; otherwise a one-line
 *                       summary; never null
 * @since 0.3
 */
public record ApplyPreview(String nodeId, ArtifactDescriptor artifact, Change change, String runningVersion,
                           List<String> refreshed, List<String> services, String reason) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What the node would do. */
    public enum Change {
        /** Install the bundle: the node has none of that symbolic name that Hotpot would update. */
        INSTALL,
        /** Update the bundle to the artifact, through the gate, with its state carried. */
        UPDATE,
        /** Nothing: the node runs these exact bytes already. */
        UNCHANGED,
        /** Uninstall the bundle (a removal). */
        REMOVE,
        /** Nothing: a removal, and the node has no bundle of that name that Hotpot manages. */
        ABSENT,
        /** Refuse it, with nothing changed, for the {@link #reason()}. */
        REFUSE,
        /** The node could not be asked (no endpoint, no answer, an older Hotpot): see the reason. */
        UNREACHABLE;

        /** @return whether the rollout would go ahead on this node */
        public boolean goesAhead() {
            return this != REFUSE && this != UNREACHABLE;
        }
    }

    /** @throws NullPointerException if an argument but runningVersion is null */
    public ApplyPreview {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(reason, "reason");
        refreshed = List.copyOf(refreshed);
        services = List.copyOf(services);
    }

    /** @return a preview for a node that could not be asked */
    public static ApplyPreview unreachable(String nodeId, ArtifactDescriptor artifact, String why) {
        return new ApplyPreview(nodeId, artifact, Change.UNREACHABLE, null, List.of(), List.of(), why);
    }
}
