package io.hotpot.examples.kv.store;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.Dictionary;

/**
 * Store 1.2.0's deliberate failures, read from PID {@value #PID}: {@code fail.activate=true} makes
 * this bundle activator throw, {@code fail.import=true} makes the state import throw,
 * {@code fail.health=true} makes the health check answer unhealthy. They exist to exercise Hotpot's
 * rollback; with none set, 1.2.0 behaves as 1.1.0.
 */
public class FailureSwitch implements BundleActivator {

    static final String PID = "io.hotpot.examples.kv.store";

    @Override
    public void start(BundleContext context) throws Exception {
        if (isSet(context, "fail.activate")) {
            throw new IllegalStateException("store 1.2.0: fail.activate=true in PID " + PID);
        }
    }

    @Override
    public void stop(BundleContext context) {
    }

    /** @return whether the switch is {@code true} in the configuration, read now */
    static boolean isSet(BundleContext context, String key) throws Exception {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        if (ref == null) {
            return false;
        }
        try {
            Configuration[] configs = context.getService(ref).listConfigurations("(service.pid=" + PID + ")");
            Dictionary<String, Object> props = configs == null ? null : configs[0].getProperties();
            return props != null && "true".equals(String.valueOf(props.get(key)));
        } finally {
            context.ungetService(ref);
        }
    }
}
