package io.hotpot.runtime.apply.probe.dependent;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The activator of a bundle that imports the probe library's package. It refuses to start when
 * the library it is wired to says {@code Probe-Faults: dependents-fail}: the refresh that an update
 * of the library causes then fails on this bundle.
 */
public final class DependentActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        for (BundleWire w : context.getBundle().adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            Object faults = w.getProvider().getBundle().getHeaders().get("Probe-Faults");
            if (faults != null && faults.toString().contains("dependents-fail")) {
                throw new IllegalStateException("refusing to start on " + w.getProvider().getBundle());
            }
        }
    }

    @Override
    public void stop(BundleContext context) {
    }
}
