package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyReport;
import io.hotpot.runtime.apply.probe.api.Counter;
import io.hotpot.runtime.apply.probe.impl.ProbeActivator;
import io.hotpot.runtime.apply.probe.lib.LibMarker;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.hotpot.runtime.apply.ProbeFramework.PROBE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Issue 12, a set applied as one unit on a real Felix framework: a library and the stateful
 * bundle that needs its new version, which neither rollout of one bundle can upgrade (each alone
 * would not resolve, or would leave the other unresolved), go together through one gate closure
 * and one refresh, with the state carried; a member that fails its health gate returns every member,
 * with its state, and uninstalls a member the set installed.
 */
public class SetSwapTest {

    private static final String LIB = PROBE + ".lib";
    private static final String LIB_PACKAGE = LibMarker.class.getPackageName();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ProbeFramework osgi;

    @Before
    public void start() throws Exception {
        osgi = new ProbeFramework(tmp.getRoot().toPath(), 1_000, 1_000, 300);
    }

    @After
    public void stop() throws Exception {
        osgi.close();
    }

    private Path lib(String version) throws Exception {
        return osgi.bundle(LIB, version, Map.of(Constants.EXPORT_PACKAGE, LIB_PACKAGE + ";version=" + version),
                LibMarker.class);
    }

    /** The stateful counter of that version, importing the library in that version range. */
    private Path counter(String version, String libRange, String... faults) throws Exception {
        return osgi.bundle(PROBE, version, Map.of(Constants.BUNDLE_ACTIVATOR, ProbeActivator.class.getName(),
                Constants.IMPORT_PACKAGE, "org.osgi.framework,io.hotpot.api.migration,io.hotpot.api.health,"
                        + "io.hotpot.runtime.apply.probe.api," + LIB_PACKAGE + ";version=\"" + libRange + "\"",
                "Probe-Faults", String.join(",", faults)), ProbeActivator.class);
    }

    /** Library 1.0.0, the counter 1.0.0 on it, counted to 5. */
    private void installV1(String counterRange) throws Exception {
        assertEquals(ApplyOutcome.INSTALLED, osgi.apply(lib("1.0.0")).outcome());
        ApplyReport r = osgi.apply(counter("1.0.0", counterRange));
        assertEquals(r.toString(), ApplyOutcome.INSTALLED, r.outcome());
        Counter c = osgi.counter();
        for (int i = 0; i < 5; i++) {
            c.increment();
        }
    }

    @Test
    public void aLibraryAndTheStatefulBundleThatNeedsItsNewVersionSwapAsOneSetWithTheState() throws Exception {
        installV1("[1,2)");
        // One bundle at a time cannot get there: the counter 2.0.0 needs the library 2.0.0.
        ApplyReport alone = osgi.apply(counter("2.0.0", "[2,3)"));
        assertEquals(alone.toString(), ApplyOutcome.REJECTED, alone.outcome());

        // Given consumer first: the set orders its members itself, providers first.
        List<ApplyReport> set = osgi.applySet(counter("2.0.0", "[2,3)"), lib("2.0.0"));
        assertEquals(set.toString(), 2, set.size());
        assertEquals(PROBE, set.get(0).artifact().symbolicName());
        for (ApplyReport r : set) {
            assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
            assertTrue(r.message(), r.message().contains("one set of 2") && r.message().contains("1 state(s) carried"));
        }
        assertEquals("2.0.0", osgi.bundle(LIB).orElseThrow().getVersion().toString());
        assertServes("2.0.0", 5);
        assertEquals("the counter is wired to the new library", "2.0.0", libWiredTo(osgi.bundle(PROBE).orElseThrow()));
        assertFalse(osgi.damper.gate(LIB).isClosed());
        assertEquals("both recorded", "2.0.0", osgi.store.applied(LIB).orElseThrow().artifact().version());
    }

    @Test
    public void aMemberThatFailsItsHealthGateReturnsEveryMemberWithItsState() throws Exception {
        installV1("[1,2)");
        List<ApplyReport> set = osgi.applySet(lib("2.0.0"), counter("2.0.0", "[2,3)", "health-hangs"));
        for (ApplyReport r : set) {
            assertEquals(r.toString(), ApplyOutcome.ROLLED_BACK, r.outcome());
            assertTrue(r.message(), r.message().contains("every member went back"));
        }
        assertEquals("1.0.0", osgi.bundle(LIB).orElseThrow().getVersion().toString());
        assertServes("1.0.0", 5);
        assertEquals("1.0.0", libWiredTo(osgi.bundle(PROBE).orElseThrow()));
        assertEquals("the records name what runs", "1.0.0", osgi.store.applied(LIB).orElseThrow().artifact().version());
    }

    @Test
    public void aMemberTheSetInstalledIsUninstalledWhenTheSetGoesBackAndADependentKeepsItsState() throws Exception {
        // The counter is no member here: it imports the library, so the set's refresh restarts it, in the gate.
        installV1("[1,3)");
        List<ApplyReport> set = osgi.applySet(lib("2.0.0"), osgi.probe(PROBE + ".other", "1.0.0", "health-hangs"));
        for (ApplyReport r : set) {
            assertEquals(r.toString(), ApplyOutcome.ROLLED_BACK, r.outcome());
        }
        assertTrue("the member the set installed is gone", osgi.bundle(PROBE + ".other").isEmpty());
        assertTrue(osgi.store.applied(PROBE + ".other").isEmpty());
        assertEquals("1.0.0", osgi.bundle(LIB).orElseThrow().getVersion().toString());
        assertServes("1.0.0", 5);

        List<ApplyReport> ok = osgi.applySet(lib("2.0.0"), osgi.probe(PROBE + ".other", "1.0.0"));
        assertEquals(ok.toString(), List.of(ApplyOutcome.UPDATED, ApplyOutcome.INSTALLED),
                ok.stream().map(ApplyReport::outcome).toList());
        assertServes("1.0.0", 5);
        assertEquals("the dependent was refreshed onto the new library", "2.0.0", libWiredTo(osgi.bundle(PROBE).orElseThrow()));
    }

    @Test
    public void aMemberThatWouldNotResolveEvenWithTheSetIsRefusedBeforeAnythingIsTouched() throws Exception {
        installV1("[1,2)");
        List<ApplyReport> set = osgi.applySet(lib("2.0.0"), osgi.bundle(PROBE, "3.0.0",
                Map.of(Constants.IMPORT_PACKAGE, "org.example.nowhere")));
        for (ApplyReport r : set) {
            assertEquals(r.toString(), ApplyOutcome.REJECTED, r.outcome());
            assertTrue(r.message(), r.message().contains("org.example.nowhere") && r.message().contains("nothing changed"));
        }
        assertEquals("1.0.0", osgi.bundle(LIB).orElseThrow().getVersion().toString());
        assertServes("1.0.0", 5);
    }

    /**
     * A node that died in the middle of a set swap (both members updated, no refresh yet, the
     * journal holding an entry per member) returns the whole set at its next start: the library
     * reverted alone would leave the counter 2.0.0 unresolved, so the members go back together.
     */
    @Test
    public void anInterruptedSetSwapGoesBackAsOneSetAtTheNextStart() throws Exception {
        installV1("[1,2)");
        Bundle lib = osgi.bundle(LIB).orElseThrow();
        Bundle counter = osgi.bundle(PROBE).orElseThrow();
        String libSha = osgi.store.applied(LIB).orElseThrow().artifact().sha256();
        String counterSha = osgi.store.applied(PROBE).orElseThrow().artifact().sha256();
        // What the set swap had done when the node died: state exported, entries written, both updated.
        var ref = osgi.context().getServiceReferences(io.hotpot.api.migration.StateMigration.class, null).stream()
                .filter(r -> r.getBundle().equals(counter)).findFirst().orElseThrow();
        var migration = osgi.context().getService(ref);
        migration.quiesce();
        osgi.store.saveSnapshot(migration.exportState());
        Path lib2 = lib("2.0.0");
        Path counter2 = counter("2.0.0", "[2,3)");
        osgi.journal.write(new io.hotpot.runtime.store.SwapJournal.Entry(LIB, "1.0.0", libSha, "2.0.0",
                io.hotpot.runtime.artifact.Sha256.of(lib2), "r-crashed-set", false, "EXPORTED"));
        osgi.journal.write(new io.hotpot.runtime.store.SwapJournal.Entry(PROBE, "1.0.0", counterSha, "2.0.0",
                io.hotpot.runtime.artifact.Sha256.of(counter2), "r-crashed-set", true, "EXPORTED"));
        counter.stop(Bundle.STOP_TRANSIENT);
        try (var in = java.nio.file.Files.newInputStream(lib2)) {
            lib.update(in);
        }
        try (var in = java.nio.file.Files.newInputStream(counter2)) {
            counter.update(in);
        }

        osgi.applier.recover(() -> { });

        assertEquals("1.0.0", osgi.bundle(LIB).orElseThrow().getVersion().toString());
        assertServes("1.0.0", 5);
        assertEquals("1.0.0", libWiredTo(osgi.bundle(PROBE).orElseThrow()));
        assertEquals(libSha, osgi.store.applied(LIB).orElseThrow().artifact().sha256());
        assertEquals(counterSha, osgi.store.applied(PROBE).orElseThrow().artifact().sha256());
    }

    /** @return the version of the library the bundle's package import is wired to */
    private static String libWiredTo(Bundle bundle) {
        for (BundleWire w : bundle.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (LIB_PACKAGE.equals(w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                return w.getProvider().getBundle().getVersion().toString();
            }
        }
        return "none";
    }

    private void assertServes(String version, int value) {
        Counter c = osgi.counter();
        assertEquals("version serving calls", version, c.version());
        assertEquals("state", value, c.value());
        assertEquals(Bundle.ACTIVE, osgi.bundle(PROBE).orElseThrow().getState());
        assertFalse("gate left closed", osgi.damper.gate(PROBE).isClosed());
        assertTrue("journal entry left behind: " + osgi.journal.all(), osgi.journal.all().isEmpty());
        assertTrue("a revision left removal-pending", osgi.context().getBundle(0).adapt(FrameworkWiring.class)
                .getRemovalPendingBundles().isEmpty());
    }
}
