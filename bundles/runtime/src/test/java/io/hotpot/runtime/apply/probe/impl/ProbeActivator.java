package io.hotpot.runtime.apply.probe.impl;

import io.hotpot.api.health.Health;
import io.hotpot.api.health.HealthCheck;
import io.hotpot.api.migration.StateMigration;
import io.hotpot.api.migration.StateSnapshot;
import io.hotpot.runtime.apply.probe.api.Counter;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import java.nio.ByteBuffer;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The activator of a probe bundle, built by {@code ProbeBundles} from these very classes. What a
 * revision does wrong is read from its manifest header {@code Probe-Faults} (comma-separated), so
 * two versions of one bundle can differ in behaviour:
 * <ul>
 *   <li>{@code export-null}: exportState() returns null</li>
 *   <li>{@code import-slow}: importState() takes 600 ms</li>
 *   <li>{@code quiesce-hangs}: quiesce() spins for 3 s and ignores interrupts</li>
 *   <li>{@code health-hangs}: the HealthCheck spins for 3 s and ignores interrupts</li>
 *   <li>{@code health-uses-own-service}: the HealthCheck calls the bundle's own Counter service</li>
 *   <li>{@code two-counters}: registers a second Counter with the same interfaces, property name=second</li>
 *   <li>{@code no-counter}: registers no Counter</li>
 * </ul>
 */
public final class ProbeActivator implements BundleActivator {

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void start(BundleContext context) {
        String version = context.getBundle().getVersion().toString();
        Set<String> faults = Set.of(String.valueOf(context.getBundle().getHeaders().get("Probe-Faults")).split(","));
        if (!faults.contains("no-counter")) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("name", "first");
            context.registerService(Counter.class, counter(version), props);
        }
        if (faults.contains("two-counters")) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("name", "second");
            context.registerService(Counter.class, counter(version + "-second"), props);
        }
        context.registerService(StateMigration.class, new StateMigration() {
            @Override
            public int schemaVersion() {
                return 1;
            }

            @Override
            public void quiesce() {
                if (faults.contains("quiesce-hangs")) {
                    spin(3000);
                }
            }

            @Override
            public StateSnapshot exportState() {
                if (faults.contains("export-null")) {
                    return null;
                }
                return new StateSnapshot(context.getBundle().getSymbolicName(), version, 1,
                        ByteBuffer.allocate(4).putInt(count.get()).array());
            }

            @Override
            public void importState(StateSnapshot snapshot) throws InterruptedException {
                if (faults.contains("import-slow")) {
                    Thread.sleep(600);
                }
                count.set(ByteBuffer.wrap(snapshot.data()).getInt());
            }
        }, null);
        context.registerService(HealthCheck.class, () -> {
            if (faults.contains("health-hangs")) {
                spin(3000);
            }
            if (faults.contains("health-uses-own-service")) {
                ServiceReference<Counter> ref = context.getServiceReference(Counter.class);
                int v = context.getService(ref).value();
                context.ungetService(ref);
                return Health.up("own counter answers " + v);
            }
            return Health.up("counter " + count.get());
        }, null);
    }

    @Override
    public void stop(BundleContext context) {
    }

    private Counter counter(String version) {
        return new Counter() {
            @Override
            public int increment() {
                return count.incrementAndGet();
            }

            @Override
            public int value() {
                return count.get();
            }

            @Override
            public String version() {
                return version;
            }
        };
    }

    /** Busy for that long whatever happens: code that ignores interrupts. */
    private static void spin(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
