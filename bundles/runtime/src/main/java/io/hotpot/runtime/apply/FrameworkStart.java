package io.hotpot.runtime.apply;

import org.osgi.framework.BundleContext;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import java.util.function.BooleanSupplier;

/**
 * Whether the framework finished its start: its active start level reached the beginning start
 * level ({@code org.osgi.framework.startlevel.beginning}, OSGi Core R8, Start Level API). The
 * system bundle is ACTIVE long before that in Felix, while the start-level thread still starts
 * bundles; a bundle above the active start level that is started then only records the wish, and is
 * not ACTIVE. Thread-safe.
 */
public final class FrameworkStart implements BooleanSupplier {

    private final FrameworkStartLevel startLevel;
    private final int beginning;

    /** @param context any bundle's context */
    public FrameworkStart(BundleContext context) {
        this.startLevel = context.getBundle(0).adapt(FrameworkStartLevel.class);
        String property = context.getProperty("org.osgi.framework.startlevel.beginning");
        int level = 1;
        try {
            level = property == null ? 1 : Integer.parseInt(property.trim());
        } catch (NumberFormatException ignored) {
            // The framework falls back to 1 as well.
        }
        this.beginning = level;
    }

    /** @return true once the framework's active start level is at least its beginning start level */
    @Override
    public boolean getAsBoolean() {
        return startLevel.getStartLevel() >= beginning;
    }
}
