package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyReport;
import io.hotpot.runtime.apply.probe.api.Counter;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.hotpot.runtime.apply.ProbeFramework.PROBE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The swap on a real Felix framework under the faults of issues 9 and 10: an interrupted caller,
 * bundle code that throws where it should not or ignores interrupts, and a bundle that looks up its
 * own service during its health check.
 */
public class SwapFaultsTest {

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

    /** Installs version 1.0.0 and counts to 5 through the gated service. */
    private void installV1(String... faults) throws Exception {
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "1.0.0", faults));
        assertEquals(r.toString(), ApplyOutcome.INSTALLED, r.outcome());
        Counter c = osgi.counter();
        for (int i = 0; i < 5; i++) {
            c.increment();
        }
    }

    private void assertServes(String version, int value) {
        Counter c = osgi.counter();
        assertEquals("version serving calls", version, c.version());
        assertEquals("state", value, c.value());
        Bundle b = osgi.bundle(PROBE).orElseThrow();
        assertEquals(Bundle.ACTIVE, b.getState());
        assertFalse("gate left closed", osgi.damper.gate(PROBE).isClosed());
        assertTrue("journal entry left behind: " + osgi.journal.all(), osgi.journal.all().isEmpty());
    }

    /** Issue 9 item 2: an interrupt of the applying thread (Ctrl-C, apply.timeout.ms) must not cut a swap short. */
    @Test
    public void anInterruptedCallerDoesNotCutTheSwapShort() throws Exception {
        installV1();
        var jar = osgi.probe(PROBE, "2.0.0", "import-slow");
        AtomicReference<Thread> applying = new AtomicReference<>();
        CompletableFuture<ApplyReport> report = CompletableFuture.supplyAsync(() -> {
            applying.set(Thread.currentThread());
            try {
                return osgi.apply(jar);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Inside the gate by then: importState() of the new revision sleeps 600 ms.
        Thread.sleep(300);
        applying.get().interrupt();
        ApplyReport r = report.get(30, TimeUnit.SECONDS);
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertServes("2.0.0", 5);
    }

    /** Issue 9 item 2: a RuntimeException from bundle code after quiesce() leaves the old revision serving, resumed. */
    @Test
    public void anExportThatReturnsNullIsRefusedAndTheOldRevisionServes() throws Exception {
        installV1("export-null");
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0"));
        assertEquals(r.toString(), ApplyOutcome.REJECTED, r.outcome());
        assertTrue(r.message(), r.message().contains("exportState"));
        assertServes("1.0.0", 5);
    }

    /** Issue 9 item 3: a health check that ignores interrupts costs one thread; the rollback's import still runs. */
    @Test
    public void aHungHealthCheckDoesNotFailTheRollback() throws Exception {
        installV1();
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0", "health-hangs"));
        assertEquals(r.toString(), ApplyOutcome.ROLLED_BACK, r.outcome());
        assertServes("1.0.0", 5);
        // And the next swap's migration calls are not queued behind the hung thread either.
        ApplyReport next = osgi.apply(osgi.probe(PROBE, "2.0.1"));
        assertEquals(next.toString(), ApplyOutcome.UPDATED, next.outcome());
        assertServes("2.0.1", 5);
    }

    /** Issue 9 item 3: a quiesce() that ignores interrupts is refused, and pins no thread another bundle's swap needs. */
    @Test
    public void aHungQuiesceIsRefusedAndOtherSwapsRun() throws Exception {
        installV1("quiesce-hangs");
        assertEquals(ApplyOutcome.INSTALLED, osgi.apply(osgi.probe(PROBE + ".other", "1.0.0")).outcome());
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0"));
        assertEquals(r.toString(), ApplyOutcome.REJECTED, r.outcome());
        assertTrue(r.message(), r.message().contains("did not return within"));
        // The hung quiesce() spins for 3 s more; the other bundle's export must not wait behind it.
        ApplyReport other = osgi.apply(osgi.probe(PROBE + ".other", "2.0.0"));
        assertEquals(other.toString(), ApplyOutcome.UPDATED, other.outcome());
    }

    /** Issue 10 item 2: a bundle's own code that looks up its own service gets its own service, not the gated proxy. */
    @Test
    public void aHealthCheckThatUsesItsOwnServiceDoesNotWaitOnItsOwnGate() throws Exception {
        installV1();
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0", "health-uses-own-service"));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertServes("2.0.0", 5);
    }

    /** Issue 10 item 1: two services with the same interfaces and no component.name stay two services. */
    @Test
    public void twoServicesWithTheSameInterfacesAreBothServed() throws Exception {
        installV1("two-counters");
        List<String> versions = osgi.counters().stream().map(Counter::version).sorted().toList();
        assertEquals(List.of("1.0.0", "1.0.0-second"), versions);
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0", "two-counters"));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertEquals(List.of("2.0.0", "2.0.0-second"), osgi.counters().stream().map(Counter::version).sorted().toList());
    }

    /** Issue 10 item 1: a new version that adds a service gets it served, and one that drops a service swaps. */
    @Test
    public void servicesMayAppearAndDisappearInASwap() throws Exception {
        installV1();
        ApplyReport added = osgi.apply(osgi.probe(PROBE, "2.0.0", "two-counters"));
        assertEquals(added.toString(), ApplyOutcome.UPDATED, added.outcome());
        assertEquals(List.of("2.0.0", "2.0.0-second"), osgi.counters().stream().map(Counter::version).sorted().toList());
        ApplyReport dropped = osgi.apply(osgi.probe(PROBE, "3.0.0", "no-counter"));
        assertEquals(dropped.toString(), ApplyOutcome.UPDATED, dropped.outcome());
        assertEquals(0, osgi.counterRefs() == null ? 0 : osgi.counterRefs().length);
    }

    /**
     * Issue 10 item 6: a refresh that fails (a dependent of the updated library does not start
     * again) is a failed update: the library goes back, and the dependent runs again on it.
     */
    @Test
    public void aRefreshThatFailsOnADependentRollsBack() throws Exception {
        String lib = PROBE + ".lib";
        java.util.Map<String, String> exporting = java.util.Map.of(
                org.osgi.framework.Constants.EXPORT_PACKAGE, "io.hotpot.runtime.apply.probe.lib;version=1.0.0");
        assertEquals(ApplyOutcome.INSTALLED, osgi.apply(osgi.bundle(lib, "1.0.0", exporting,
                io.hotpot.runtime.apply.probe.lib.LibMarker.class)).outcome());
        var dependentJar = osgi.bundle(PROBE + ".dependent", "1.0.0", java.util.Map.of(
                org.osgi.framework.Constants.BUNDLE_ACTIVATOR, io.hotpot.runtime.apply.probe.dependent.DependentActivator.class.getName(),
                org.osgi.framework.Constants.IMPORT_PACKAGE, "org.osgi.framework,org.osgi.framework.namespace,"
                        + "org.osgi.framework.wiring,io.hotpot.runtime.apply.probe.lib"),
                io.hotpot.runtime.apply.probe.dependent.DependentActivator.class);
        Bundle dependent;
        try (var in = java.nio.file.Files.newInputStream(dependentJar)) {
            dependent = osgi.context().installBundle("dependent", in);
        }
        dependent.start();

        java.util.Map<String, String> failing = new java.util.HashMap<>(exporting);
        failing.put("Probe-Faults", "dependents-fail");
        ApplyReport r = osgi.apply(osgi.bundle(lib, "2.0.0", failing, io.hotpot.runtime.apply.probe.lib.LibMarker.class));
        assertEquals(r.toString(), ApplyOutcome.ROLLED_BACK, r.outcome());
        assertTrue(r.message(), r.message().contains(PROBE + ".dependent"));
        assertEquals("1.0.0", osgi.bundle(lib).orElseThrow().getVersion().toString());
        assertEquals("the dependent runs again", Bundle.ACTIVE, dependent.getState());
        assertTrue(osgi.context().getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class)
                .getRemovalPendingBundles().isEmpty());
    }

    /**
     * Issue 9 item 5: a swap that completed and was recorded, but whose journal entry stayed behind
     * (its removal failed, or the node died in that window), is not reverted at the next start:
     * that would lose every write since the swap.
     */
    @Test
    public void aCompletedSwapWhoseJournalEntryStayedIsNotRevertedAtRecovery() throws Exception {
        installV1();
        String v1 = osgi.store.applied(PROBE).orElseThrow().artifact().sha256();
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.0"));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        osgi.counter().increment();
        var entry = new io.hotpot.runtime.store.SwapJournal.Entry(PROBE, "1.0.0", v1, "2.0.0",
                r.artifact().sha256(), "r-test", true, "EXPORTED");
        osgi.journal.write(entry);
        osgi.applier.recover(() -> { });
        assertServes("2.0.0", 6);
    }

    /**
     * Issue 10 item 7: a bundle Hotpot installed whose record is missing (a node that died between
     * install and record) can still be updated, and rolled back: its running bytes come from the
     * framework's entries, never from its {@code hotpot:} location, which no URL handler opens.
     */
    @Test
    public void aHotpotInstalledBundleWithoutItsRecordCanBeUpdatedAndRolledBack() throws Exception {
        installV1();
        java.nio.file.Files.delete(tmp.getRoot().toPath().resolve("hotpot/applied/" + PROBE + ".properties"));
        ApplyReport failed = osgi.apply(osgi.probe(PROBE, "2.0.0", "health-hangs"));
        assertEquals(failed.toString(), ApplyOutcome.ROLLED_BACK, failed.outcome());
        assertServes("1.0.0", 5);
        ApplyReport r = osgi.apply(osgi.probe(PROBE, "2.0.1"));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertServes("2.0.1", 5);
    }

    /** Issue 10 item 3: a fragment is refused before anything is touched, saying why; its host keeps running. */
    @Test
    public void aFragmentIsRefusedBeforeItsHostIsTouched() throws Exception {
        installV1();
        ApplyReport r = osgi.apply(osgi.bundle(PROBE + ".fragment", "1.0.0", java.util.Map.of("Fragment-Host", PROBE)));
        assertEquals(r.toString(), ApplyOutcome.REJECTED, r.outcome());
        assertTrue(r.message(), r.message().contains("is a fragment of " + PROBE) && r.message().contains("nothing changed"));
        assertTrue(osgi.bundle(PROBE + ".fragment").isEmpty());
        assertServes("1.0.0", 5);
    }

    /**
     * Issue 10 item 4: updating a library restarts, through the refresh, a stateful bundle that
     * imports it; that bundle keeps its state (exported before, imported after, inside its own gate).
     */
    @Test
    public void aStatefulDependentKeepsItsStateThroughTheRefreshOfItsLibrary() throws Exception {
        String lib = PROBE + ".lib";
        java.util.Map<String, String> exporting = java.util.Map.of(
                org.osgi.framework.Constants.EXPORT_PACKAGE, "io.hotpot.runtime.apply.probe.lib;version=1.0.0");
        assertEquals(ApplyOutcome.INSTALLED, osgi.apply(osgi.bundle(lib, "1.0.0", exporting,
                io.hotpot.runtime.apply.probe.lib.LibMarker.class)).outcome());
        ApplyReport installed = osgi.apply(osgi.bundle(PROBE, "1.0.0", java.util.Map.of(
                org.osgi.framework.Constants.BUNDLE_ACTIVATOR, io.hotpot.runtime.apply.probe.impl.ProbeActivator.class.getName(),
                org.osgi.framework.Constants.IMPORT_PACKAGE, "org.osgi.framework,io.hotpot.api.migration,io.hotpot.api.health,"
                        + "io.hotpot.runtime.apply.probe.api,io.hotpot.runtime.apply.probe.lib",
                "Probe-Faults", ""), io.hotpot.runtime.apply.probe.impl.ProbeActivator.class));
        assertEquals(installed.toString(), ApplyOutcome.INSTALLED, installed.outcome());
        for (int i = 0; i < 5; i++) {
            osgi.counter().increment();
        }
        long started = osgi.bundle(PROBE).orElseThrow().getLastModified();

        ApplyReport r = osgi.apply(osgi.bundle(lib, "2.0.0", java.util.Map.of(org.osgi.framework.Constants.EXPORT_PACKAGE,
                "io.hotpot.runtime.apply.probe.lib;version=2.0.0"), io.hotpot.runtime.apply.probe.lib.LibMarker.class));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertTrue("the dependent was not refreshed", osgi.context().getBundle(0)
                .adapt(org.osgi.framework.wiring.FrameworkWiring.class).getRemovalPendingBundles().isEmpty());
        assertServes("1.0.0", 5);
        assertFalse("gate of the dependent left closed", osgi.damper.gate(PROBE).isClosed());
    }
}
