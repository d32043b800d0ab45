package io.hotpot.runtime.security;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The framework's bundles as {@link BundleClaimGuard} sees them. A bundle is a part of Hotpot if
 * Hotpot's runtime bundle is wired to it, directly or through other bundles (the runtime's
 * dependency closure: Hotpot's API, Curator, ZooKeeper, Guava, ...), or if it is one of Hotpot's
 * own bundles ({@link #HOTPOT_BUNDLES}), which the runtime is not wired to.
 * Thread-safe: every call reads the framework's current state.
 */
public final class FrameworkBundles {

    /** The symbolic names of the bundles Hotpot is made of. */
    public static final Set<String> HOTPOT_BUNDLES =
            Set.of("io.hotpot.api", "io.hotpot.runtime", "io.hotpot.shell", "io.hotpot.zookeeper.server");

    private final BundleContext context;

    /** @param context the runtime bundle's context */
    public FrameworkBundles(BundleContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /** @return the installed bundles with that symbolic name */
    public List<InstalledBundle> named(String symbolicName) {
        List<InstalledBundle> found = new ArrayList<>();
        Set<Long> hotpot = null;
        for (Bundle b : context.getBundles()) {
            if (!symbolicName.equals(b.getSymbolicName())) {
                continue;
            }
            if (hotpot == null) {
                hotpot = hotpotClosure();
            }
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            boolean part = hotpot.contains(b.getBundleId()) || HOTPOT_BUNDLES.contains(symbolicName);
            found.add(new InstalledBundle(b.getBundleId(), symbolicName, b.getLocation(),
                    level == null ? 0 : level.getStartLevel(), part));
        }
        return found;
    }

    private Set<Long> hotpotClosure() {
        Set<Long> seen = new HashSet<>();
        Deque<Bundle> todo = new ArrayDeque<>();
        todo.add(context.getBundle());
        while (!todo.isEmpty()) {
            Bundle b = todo.pop();
            if (!seen.add(b.getBundleId())) {
                continue;
            }
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (BundleWire wire : wiring.getRequiredWires(null)) {
                todo.add(wire.getProvider().getBundle());
            }
        }
        // The system bundle is protected on its own account; its exports must not make every bundle "Hotpot".
        seen.remove(0L);
        return seen;
    }
}
