package io.hotpot.runtime.security.claims;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The framework's bundles as {@link BundleClaimGuard} sees them. A bundle is a part of Hotpot if
 * Hotpot's runtime bundle is wired to it, directly or through other bundles (the runtime's
 * dependency closure: Hotpot's API, Curator, ZooKeeper, Guava, ...), or if it is one of Hotpot's
 * own bundles ({@link #HOTPOT_BUNDLES}), or one of Aries RSA's ({@link #REMOTE_SERVICES_PREFIX}): the
 * runtime is wired to neither, but the node's security rests on both (the fastbin provider, the
 * topology manager and the discovery carry every remote call and endpoint), so a signed ticket must
 * not replace them either.
 * Thread-safe: every call reads the framework's current state.
 */
public final class FrameworkBundles {

    /** The symbolic names of the bundles Hotpot is made of. */
    public static final Set<String> HOTPOT_BUNDLES =
            Set.of("io.hotpot.api", "io.hotpot.runtime", "io.hotpot.shell", "io.hotpot.zookeeper.server");

    /** The symbolic names of Aries RSA's bundles begin with this. */
    public static final String REMOTE_SERVICES_PREFIX = "org.apache.aries.rsa.";

    private final BundleContext context;

    /** @param context the runtime bundle's context */
    public FrameworkBundles(BundleContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** @return the installed bundles with that symbolic name */
    public List<InstalledBundle> named(String symbolicName) {
        List<InstalledBundle> found = new ArrayList<>();
        Map<Long, Bundle> hotpot = null;
        for (Bundle b : context.getBundles()) {
            if (!symbolicName.equals(b.getSymbolicName())) {
                continue;
            }
            if (hotpot == null) {
                hotpot = hotpotClosure();
            }
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            boolean own = isOwn(symbolicName);
            boolean part = hotpot.containsKey(b.getBundleId()) || own;
            Bundle requirer = own ? null : hotpot.get(b.getBundleId());
            found.add(new InstalledBundle(b.getBundleId(), symbolicName, b.getVersion().toString(), b.getLocation(),
                    level == null ? 0 : level.getStartLevel(), part,
                    requirer == null ? null : requirer.getSymbolicName() + " " + requirer.getVersion()));
        }
        return found;
    }

    /**
     * @return whether the bundle is Hotpot's runtime or part of what it runs on (its wiring
     *         closure), at a location Hotpot did not install: a bundle Hotpot must never update
     */
    public boolean isRuntimePart(Bundle bundle) {
        return !bundle.getLocation().startsWith("hotpot:") && (isOwn(bundle.getSymbolicName())
                || hotpotClosure().containsKey(bundle.getBundleId()));
    }

    /** @return whether the name is one of Hotpot's bundles or of Aries RSA's */
    private static boolean isOwn(String symbolicName) {
        return symbolicName != null
                && (HOTPOT_BUNDLES.contains(symbolicName) || symbolicName.startsWith(REMOTE_SERVICES_PREFIX));
    }

    /** @return the bundles Hotpot's runtime is wired to, directly or not, each with the bundle that requires it */
    private Map<Long, Bundle> hotpotClosure() {
        Map<Long, Bundle> requiredBy = new HashMap<>();
        Deque<Bundle[]> todo = new ArrayDeque<>();
        todo.add(new Bundle[]{context.getBundle(), context.getBundle()});
        while (!todo.isEmpty()) {
            Bundle[] next = todo.pop();
            Bundle b = next[0];
            if (requiredBy.putIfAbsent(b.getBundleId(), next[1]) != null) {
                continue;
            }
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (BundleWire wire : wiring.getRequiredWires(null)) {
                todo.add(new Bundle[]{wire.getProvider().getBundle(), b});
            }
        }
        // The system bundle is protected on its own account; its exports must not make every bundle "Hotpot".
        requiredBy.remove(0L);
        return requiredBy;
    }
}
