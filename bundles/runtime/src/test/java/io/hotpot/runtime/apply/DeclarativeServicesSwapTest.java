package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyReport;
import io.hotpot.runtime.apply.probe.api.Counter;
import io.hotpot.runtime.apply.probe.api.Greeter;
import io.hotpot.runtime.apply.probe.ds.DsCounter;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Constants;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/**
 * Issue 10 item 1 on Declarative Services bundles (Felix SCR in an embedded Felix): a component
 * whose class is renamed between versions swaps, and a new version that adds one service and drops
 * another swaps, instead of waiting for the dropped one and rolling back every time.
 */
public class DeclarativeServicesSwapTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    // One framework for the class: a second Felix with SCR in the same JVM did not process DS bundles.
    private static ProbeFramework osgi;
    private String bsn;

    @BeforeClass
    public static void start() throws Exception {
        osgi = new ProbeFramework(tmp.getRoot().toPath(), 1_000, 3_000, 1_000);
        osgi.startDeclarativeServices();
    }

    @AfterClass
    public static void stop() throws Exception {
        osgi.close();
    }

    private static String component(String name, String implementation, String service, String property) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"" + name + "\">\n"
                + "  <implementation class=\"io.hotpot.runtime.apply.probe.ds." + implementation + "\"/>\n"
                + "  <service><provide interface=\"io.hotpot.runtime.apply.probe.api." + service + "\"/></service>\n"
                + "  <property name=\"name\" value=\"" + property + "\"/>\n"
                + "</scr:component>\n";
    }

    /** @param components entry name to component XML */
    private Path dsBundle(String version, Map<String, String> components) throws Exception {
        return osgi.bundle(bsn, version, Map.of(
                Constants.IMPORT_PACKAGE, "io.hotpot.runtime.apply.probe.api",
                "Service-Component", String.join(",", components.keySet())), components, DsCounter.class);
    }

    private static Map<String, String> of(String... nameAndXml) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndXml.length; i += 2) {
            m.put(nameAndXml[i], nameAndXml[i + 1]);
        }
        return m;
    }

    /** SCR registers a newly installed bundle's components on its own thread, after the install returned. */
    private void awaitCounters(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (osgi.services(Counter.class, bsn).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(n, osgi.services(Counter.class, bsn).size());
    }

    @Test
    public void aRenamedComponentClassSwaps() throws Exception {
        bsn = "io.hotpot.probe.ds.renamed";
        ApplyReport installed = osgi.apply(dsBundle("1.0.0", of("OSGI-INF/counter.xml",
                component("io.hotpot.probe.ds.DsCounter", "DsCounter", "Counter", "first"))));
        assertEquals(installed.toString(), ApplyOutcome.INSTALLED, installed.outcome());
        awaitCounters(1);
        assertEquals("DsCounter", osgi.services(Counter.class, bsn).get(0).version());

        ApplyReport r = osgi.apply(dsBundle("2.0.0", of("OSGI-INF/counter.xml",
                component("io.hotpot.probe.ds.RenamedCounter", "RenamedCounter", "Counter", "first"))));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertEquals("RenamedCounter", osgi.services(Counter.class, bsn).get(0).version());
        assertEquals(1, osgi.services(Counter.class, bsn).size());
    }

    @Test
    public void aNewVersionThatAddsAServiceAndDropsAnotherSwaps() throws Exception {
        bsn = "io.hotpot.probe.ds.changed";
        ApplyReport installed = osgi.apply(dsBundle("1.0.0", of(
                "OSGI-INF/first.xml", component("first", "DsCounter", "Counter", "first"),
                "OSGI-INF/second.xml", component("second", "RenamedCounter", "Counter", "second"))));
        assertEquals(installed.toString(), ApplyOutcome.INSTALLED, installed.outcome());
        awaitCounters(2);

        ApplyReport r = osgi.apply(dsBundle("2.0.0", of(
                "OSGI-INF/first.xml", component("first", "DsCounter", "Counter", "first"),
                "OSGI-INF/greeter.xml", component("greeter", "DsGreeter", "Greeter", "greeter"))));
        assertEquals(r.toString(), ApplyOutcome.UPDATED, r.outcome());
        assertEquals(List.of("DsCounter"), osgi.services(Counter.class, bsn).stream().map(Counter::version).toList());
        assertEquals(List.of("hello from DsGreeter"), osgi.services(Greeter.class, bsn).stream().map(Greeter::greet).toList());
    }
}
