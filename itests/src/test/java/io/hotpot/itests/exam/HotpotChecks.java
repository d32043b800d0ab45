package io.hotpot.itests.exam;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.hotpot.api.cluster.ClusterAdmin;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What "Hotpot is installed and running" means, checked the same way on the Hotpot distribution and on a stock
 * Karaf with the feature added. Runs inside Karaf (test probe).
 *
 * <p>Everything polls with a deadline: DS components activate, and boot features finish, asynchronously after
 * the probe starts.
 */
final class HotpotChecks {

    /** Bundle symbolic names of the hotpot feature that must be ACTIVE. */
    static final List<String> BUNDLES = List.of(
            "io.hotpot.api",
            "io.hotpot.runtime",
            "io.hotpot.shell",
            // hotpot-zookeeper: ZooKeeper 3.9 (zookeeper + jute) as one bundle
            "org.apache.zookeeper",
            "curator-client",
            "curator-framework",
            "curator-recipes",
            "org.apache.aries.rsa.core",
            "org.apache.aries.rsa.topology-manager",
            "org.apache.aries.rsa.provider.fastbin",
            "org.apache.aries.rsa.discovery.zookeeper");

    static final List<String> COMMANDS = List.of("hot:distribute", "hot:rollback", "hot:status", "hot:nodes",
            "hot:history", "hot:wiring");

    /** DS component name of the runtime's composition root (the class name: no explicit name is set). */
    static final String NODE_COMPONENT = "io.hotpot.runtime.HotpotNode";

    static final long TIMEOUT_MS = 60_000;

    private HotpotChecks() {
    }

    static void assertBundlesActive(BundleContext context) {
        await("Hotpot bundles ACTIVE", () -> {
            Map<String, Integer> states = new HashMap<>();
            for (Bundle b : context.getBundles()) {
                states.put(b.getSymbolicName(), b.getState());
            }
            List<String> notActive = new ArrayList<>();
            for (String name : BUNDLES) {
                Integer state = states.get(name);
                if (state == null || state != Bundle.ACTIVE) {
                    notActive.add(name + (state == null ? " (not installed)" : " (state " + stateName(state) + ")"));
                }
            }
            return notActive.isEmpty() ? null : "not ACTIVE: " + notActive;
        });
    }

    /** The runtime's node component is ACTIVE, i.e. its constructor (the whole node's startup) succeeded. */
    static void assertNodeComponentActive(BundleContext context, ServiceComponentRuntime scr) {
        Bundle runtime = bundle(context, "io.hotpot.runtime");
        await(NODE_COMPONENT + " ACTIVE", () -> {
            ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(runtime, NODE_COMPONENT);
            if (description == null) {
                return "no component " + NODE_COMPONENT + " in bundle io.hotpot.runtime";
            }
            List<String> states = new ArrayList<>();
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                if (c.state == ComponentConfigurationDTO.ACTIVE) {
                    return null;
                }
                states.add(c.state + (c.failure == null ? "" : " failure: " + c.failure));
            }
            return "enabled " + scr.isComponentEnabled(description) + ", configuration states " + states
                    + " (1 unsatisfied configuration, 2 unsatisfied reference, 4 satisfied, 8 active, 16 failed activation)";
        });
    }

    /** The hot:* commands are registered with the Karaf console. */
    static void assertCommandsRegistered(KarafShell shell) {
        await("hot:* commands registered", () -> {
            Set<String> known = shell.commands();
            List<String> missing = new ArrayList<>(COMMANDS);
            missing.removeAll(known);
            return missing.isEmpty() ? null : "missing commands " + missing;
        });
    }

    /**
     * The node, alone in its ZooKeeper, elects itself leader, and hot:nodes shows it: the table (header "Node"),
     * a row for this node as local leader, and the "Leader:" line.
     */
    static void assertLeadsAlone(ClusterAdmin cluster, KarafShell shell) throws Exception {
        String id = cluster.localNodeId();
        // Curator connects, then the leader latch elects the only member; both take a moment after startup.
        await(id + " is leader", () -> {
            Optional<String> leader = cluster.leaderId();
            return leader.equals(Optional.of(id)) ? null : "leader " + leader;
        });

        String out = shell.run("hot:nodes");
        String header = out.lines().findFirst().orElse("");
        assertEquals("first column of hot:nodes' header in:\n" + out, "Node", cell(header, 0));
        assertTrue("row of this node, as local leader, in:\n" + out, out.lines().anyMatch(line ->
                cell(line, 0).equals(id) && cell(line, 1).equals("leader") && cell(line, 2).equals("*")));
        assertTrue("leader line in:\n" + out, out.contains("Leader: " + id));
    }

    /** @return the trimmed cell of a ShellTable line ("a | b | c"), or "" */
    private static String cell(String line, int column) {
        String[] cells = line.split("\\|");
        return column < cells.length ? cells[column].trim() : "";
    }

    /** Waits for a service to be registered, as @Inject @Filter(timeout) would, for services that appear later. */
    static <T> T service(BundleContext context, Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(TIMEOUT_MS);
            assertNotNull(type.getName() + " not registered within " + TIMEOUT_MS + " ms", service);
            return service;
        } finally {
            // The service object stays usable for the test; the tracker only served to wait.
            tracker.close();
        }
    }

    /**
     * Polls until {@code problem} returns null; fails with its last answer after {@link #TIMEOUT_MS}.
     *
     * @param problem null when the condition holds, else what is still wrong
     */
    static void await(String what, Supplier<String> problem) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        String last;
        while ((last = problem.get()) != null) {
            if (System.nanoTime() > deadline) {
                fail(what + ": still not true after " + TIMEOUT_MS + " ms: " + last);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(what + ": interrupted; last state: " + last);
            }
        }
    }

    private static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        fail("bundle " + symbolicName + " not installed");
        return null;
    }

    private static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            default: return Integer.toString(state);
        }
    }
}
