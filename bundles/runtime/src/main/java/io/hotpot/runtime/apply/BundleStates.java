package io.hotpot.runtime.apply;

import org.osgi.framework.Bundle;

/** Names of the bundle states of OSGi Core R8, section 4.4.2, as Karaf's console prints them. */
public final class BundleStates {

    private BundleStates() {
    }

    /** @return the state's name, e.g. {@code ACTIVE} */
    public static String name(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNKNOWN(" + state + ")";
        };
    }
}
