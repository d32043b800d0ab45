package io.hotpot.runtime.gate;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import java.util.Collection;
import java.util.Dictionary;

/**
 * Whether a bundle that just started has registered every service it is going to register, so
 * that a proxy no new registration took over can be taken for a service the new version dropped.
 * <ul>
 *   <li>A bundle without Declarative Services or Blueprint: its activator registered everything in
 *       {@code start()} (OSGi Core R8, 4.4.6), so it is complete once ACTIVE.</li>
 *   <li>A Declarative Services bundle: complete once Service Component Runtime knows every enabled
 *       component of it and each configuration is SATISFIED or ACTIVE (Compendium R8, 112.12: a
 *       satisfied component's service is registered), or FAILED_ACTIVATION; a component waiting for
 *       a reference or a configuration may still register, so it is not complete yet.</li>
 *   <li>Blueprint, or DS without a Service Component Runtime: not known; the caller waits.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class Registrations {

    private Registrations() {
    }

    /** @param context a context that sees the ServiceComponentRuntime service */
    static boolean complete(BundleContext context, Bundle bundle) {
        if (bundle.getState() != Bundle.ACTIVE) {
            return false;
        }
        Dictionary<String, String> headers = bundle.getHeaders("");
        if (headers.get("Bundle-Blueprint") != null || bundle.getEntry("OSGI-INF/blueprint/") != null) {
            return false;
        }
        if (headers.get("Service-Component") == null) {
            return true;
        }
        try {
            return componentsSettled(context, bundle);
        } catch (NoClassDefFoundError e) {
            // No Declarative Services API wired to Hotpot: not known.
            return false;
        }
    }

    private static boolean componentsSettled(BundleContext context, Bundle bundle) {
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return false;
        }
        try {
            Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(bundle);
            if (descriptions.isEmpty()) {
                // SCR has not read the bundle's components yet.
                return false;
            }
            for (ComponentDescriptionDTO d : descriptions) {
                if (!scr.isComponentEnabled(d)) {
                    continue;
                }
                Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
                if (configs.isEmpty() && !"require".equals(d.configurationPolicy)) {
                    return false;
                }
                for (ComponentConfigurationDTO c : configs) {
                    if (c.state != ComponentConfigurationDTO.SATISFIED && c.state != ComponentConfigurationDTO.ACTIVE
                            && c.state != ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            context.ungetService(ref);
        }
    }
}
