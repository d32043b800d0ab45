package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.apply.probe.api.Counter;
import io.hotpot.runtime.apply.probe.impl.ProbeActivator;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.gate.ServiceDamper;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.store.SwapJournal;
import org.apache.felix.framework.Felix;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A real OSGi framework (Apache Felix, the one Karaf runs) in the test JVM, with Hotpot's apply
 * pipeline wired as {@code HotpotNode} wires it: store, journal, inspector, damper and applier, on
 * the system bundle's context. Probe bundles are built from the classes of
 * {@code io.hotpot.runtime.apply.probe.impl}; their service interface and Hotpot's API come from
 * the test class path through the system bundle, so they are "imported from elsewhere" and gated.
 */
final class ProbeFramework implements AutoCloseable {

    static final String PROBE = "io.hotpot.probe";

    private final Path dir;
    private final Framework framework;
    final ArtifactStore store;
    final SwapJournal journal;
    final ServiceDamper damper;
    final BundleApplier applier;
    final ArtifactInspector inspector = new ArtifactInspector(64 << 20);

    /**
     * @param gateWaitMs        how long a held call may wait ({@code gate.wait.ms})
     * @param migrationTimeoutMs bound on each migration call ({@code migration.timeout.ms})
     * @param healthTimeoutMs   bound on the health checks ({@code health.timeout.ms})
     */
    ProbeFramework(Path dir, long gateWaitMs, long migrationTimeoutMs, long healthTimeoutMs) throws Exception {
        this.dir = dir;
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve("felix").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Declarative Services' API comes from the class path too, so that SCR (when a test installs it)
        // and Hotpot's Registrations, which runs outside the framework here, share its classes.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "io.hotpot.api.migration;version=0.1.0,"
                + "io.hotpot.api.health;version=0.1.0,io.hotpot.runtime.apply.probe.api;version=1.0.0,"
                + "org.osgi.service.component;version=1.5.0,org.osgi.service.component.runtime;version=1.5.0,"
                + "org.osgi.service.component.runtime.dto;version=1.5.0");
        framework = new Felix(config);
        framework.start();
        BundleContext context = framework.getBundleContext();
        store = new ArtifactStore(dir.resolve("hotpot"), 3);
        journal = new SwapJournal(dir.resolve("hotpot"));
        damper = new ServiceDamper(context, BundleApplier.managedIn(store), "test-node", gateWaitMs);
        damper.start();
        applier = new BundleApplier("test-node", context, store, journal, inspector, damper,
                new FaultPoints(dir.resolve("hotpot")), migrationTimeoutMs, healthTimeoutMs, b -> false,
                new io.hotpot.runtime.store.FailureRecord(dir.resolve("hotpot")));
    }

    /** @return a probe bundle jar of that version whose revision misbehaves as {@code faults} say ({@link ProbeActivator}) */
    Path probe(String bsn, String version, String... faults) throws IOException {
        return bundle(bsn, version, Map.of(Constants.BUNDLE_ACTIVATOR, ProbeActivator.class.getName(),
                Constants.IMPORT_PACKAGE, "org.osgi.framework,io.hotpot.api.migration,io.hotpot.api.health,"
                        + "io.hotpot.runtime.apply.probe.api",
                "Probe-Faults", String.join(",", faults)), ProbeActivator.class);
    }

    /**
     * @param headers  manifest headers besides the bundle's identity
     * @param packages classes whose whole package (every class file in it) goes into the bundle
     * @return a bundle jar made of those test classes
     */
    Path bundle(String bsn, String version, Map<String, String> headers, Class<?>... packages) throws IOException {
        return bundle(bsn, version, headers, Map.of(), packages);
    }

    /** As {@link #bundle(String, String, Map, Class[])}, with more entries (name to content), e.g. DS component XML. */
    Path bundle(String bsn, String version, Map<String, String> headers, Map<String, String> entries,
                Class<?>... packages) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        a.putValue(Constants.BUNDLE_VERSION, version);
        headers.forEach(a::putValue);
        Path jar = dir.resolve(bsn + "-" + version + "-" + Integer.toHexString(headers.hashCode() ^ entries.hashCode()) + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
            for (Class<?> c : packages) {
                String pkg = c.getPackageName().replace('.', '/');
                Path classes = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(pkg);
                try (var files = Files.list(classes)) {
                    for (Path f : files.sorted().toList()) {
                        out.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        return jar;
    }

    /** Applies a jar as a follower does after the verifier passed it. */
    ApplyReport apply(Path jar) throws Exception {
        ArtifactDescriptor d = inspector.inspect(jar, jar.toString());
        Path stored;
        try (InputStream in = Files.newInputStream(jar)) {
            stored = store.put(in);
        }
        return applier.apply("r-test", d, stored);
    }

    /** Applies jars as one set, as a follower does after the verifier passed each of them. */
    List<ApplyReport> applySet(Path... jars) throws Exception {
        List<SetMember> members = new java.util.ArrayList<>();
        for (Path jar : jars) {
            ArtifactDescriptor d = inspector.inspect(jar, jar.toString());
            try (InputStream in = Files.newInputStream(jar)) {
                members.add(new SetMember(d, store.put(in)));
            }
        }
        return applier.applySet("r-test-set", members, Admission.NONE);
    }

    /** @return the Counter a consumer bundle sees: the gated proxy while Hotpot manages the bundle */
    Counter counter() {
        return counters().get(0);
    }

    /** @return every Counter a consumer would see, lowest service id first */
    List<Counter> counters() {
        try {
            BundleContext consumer = consumer();
            return consumer.getServiceReferences(Counter.class, null).stream()
                    .sorted(java.util.Comparator.comparing(r -> (Long) r.getProperty(Constants.SERVICE_ID)))
                    .map(consumer::getService).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private BundleContext consumer;

    /** A plain bundle of no interest to Hotpot, to look services up as any consumer would. */
    synchronized BundleContext consumer() throws Exception {
        if (consumer == null) {
            Manifest m = new Manifest();
            m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            m.getMainAttributes().putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
            m.getMainAttributes().putValue(Constants.BUNDLE_SYMBOLICNAME, "io.hotpot.probe.consumer");
            m.getMainAttributes().putValue(Constants.IMPORT_PACKAGE, "io.hotpot.runtime.apply.probe.api");
            Path jar = dir.resolve("consumer.jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
                out.flush();
            }
            try (InputStream in = Files.newInputStream(jar)) {
                var b = framework.getBundleContext().installBundle("consumer", in);
                b.start();
                consumer = b.getBundleContext();
            }
        }
        return consumer;
    }

    /** Installs and starts Felix SCR (Declarative Services) and its dependencies, from the test class path. */
    void startDeclarativeServices() throws Exception {
        for (String name : List.of("org.osgi.util.function", "org.osgi.util.promise", "org.apache.felix.scr")) {
            String jar = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .filter(p -> Path.of(p).getFileName().toString().startsWith(name + "-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name + " is not on the test class path"));
            framework.getBundleContext().installBundle(Path.of(jar).toUri().toString()).start();
        }
    }

    /** @return the services of that type a consumer sees that stand for bundle {@code bsn} (its gated proxies) */
    <T> List<T> services(Class<T> type, String bsn) {
        try {
            BundleContext c = consumer();
            return c.getServiceReferences(type, "(" + io.hotpot.runtime.gate.ServiceDamper.GATED_PROPERTY + "=" + bsn + ")")
                    .stream().map(c::getService).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<org.osgi.framework.Bundle> bundle(String bsn) {
        return applier.installed(bsn);
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** @return the references a consumer sees for the Counter interface */
    ServiceReference<?>[] counterRefs() throws Exception {
        return consumer().getServiceReferences(Counter.class.getName(), null);
    }

    @Override
    public void close() throws Exception {
        applier.close();
        damper.close();
        framework.stop();
        framework.waitForStop(10_000);
    }
}
