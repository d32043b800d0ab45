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
 *   <li>A Blueprint bundle: complete once the extender registered the bundle's
 *       {@code BlueprintContainer} service for this version (Compendium R8, 121.3: the container is
 *       registered as a service as the last step of a successful creation, after its service
 *       managers registered the bundle's services, lazy ones included, and with the properties
 *       {@code osgi.blueprint.container.symbolicname} and {@code osgi.blueprint.container.version}).
 *       A container that fails is never registered, so the caller waits and rolls back.</li>
 *   <li>DS without a Service Component Runtime: not known; the caller waits.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class Registrations {

    /** Compendium R8, 121.10: the service a Blueprint extender registers for each created container. */
    static final String BLUEPRINT_CONTAINER = "org.osgi.service.blueprint.container.BlueprintContainer";

    private Registrations() {
    }

    /** @param context a context that sees the ServiceComponentRuntime service */
    static boolean complete(BundleContext context, Bundle bundle) {
        if (bundle.getState() != Bundle.ACTIVE) {
            return false;
        }
        Dictionary<String, String> headers = bundle.getHeaders("");
        if (headers.get("Bundle-Blueprint") != null || bundle.getEntry("OSGI-INF/blueprint/") != null) {
            return blueprintCreated(context, bundle);
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

    /** The Blueprint API is not wired to Hotpot: the service is found by its class name, of any class space. */
    private static boolean blueprintCreated(BundleContext context, Bundle bundle) {
        ServiceReference<?>[] containers;
        try {
            containers = context.getAllServiceReferences(BLUEPRINT_CONTAINER,
                    "(osgi.blueprint.container.symbolicname=" + bundle.getSymbolicName() + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            // A symbolic name cannot break the filter (OSGi's grammar has no parentheses): not known then.
            return false;
        }
        if (containers == null) {
            return false;
        }
        String version = bundle.getVersion().toString();
        for (ServiceReference<?> container : containers) {
            // The new revision's container: the old one's registration went away when the bundle stopped.
            if (bundle.equals(container.getBundle())
                    && version.equals(String.valueOf(container.getProperty("osgi.blueprint.container.version")))) {
                return true;
            }
        }
        return false;
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
