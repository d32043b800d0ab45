package io.hotpot.runtime.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.BundleContext;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * How {@link DiscoveryRepair} tells that this node's endpoint is published, against a real
 * ZooKeeper server, ephemeral znodes of a given session, and endpoint descriptions in the XML that Aries RSA's discovery writes
 * ({@code EndpointDescriptionParserImpl}: a String property is {@code <property name=".." value=".."/>}).
 * The restart of the discovery bundle itself is exercised by {@code ZooKeeperOutageIT} on real nodes.
 */
public class DiscoveryRepairTest {

    private TestingServer zk;
    private CuratorFramework curator;

    @Before
    public void start() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        curator = CuratorFrameworkFactory.newClient(zk.getConnectString(), 5000, 5000, new RetryOneTime(100));
        curator.start();
        curator.blockUntilConnected();
    }

    @After
    public void stop() throws Exception {
        curator.close();
        zk.close();
    }

    @Test
    public void onlyAFollowerEndpointOfThisNodeCounts() throws Exception {
        // The endpoints are the test client's ephemeral znodes, as the discovery's are its own session's.
        long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
        DiscoveryRepair node2 = new DiscoveryRepair(curator, unusedContext(), "node2", System::currentTimeMillis,
                () -> java.util.Set.of(session), java.util.Set::of, new java.util.Random(1));
        DiscoveryRepair node1 = new DiscoveryRepair(curator, unusedContext(), "node1", System::currentTimeMillis,
                () -> java.util.Set.of(session), java.util.Set::of, new java.util.Random(1));
        DiscoveryRepair expired = new DiscoveryRepair(curator, unusedContext(), "node2", System::currentTimeMillis,
                () -> java.util.Set.of(session + 1), java.util.Set::of, new java.util.Random(1));
        assertFalse("no registry yet", node2.published());

        publish("e-1", endpoint("io.examples.Other", "node2"));
        publish("e-2", endpoint("io.hotpot.api.FollowerService", "node12"));
        assertFalse("another interface, or another node whose id only starts the same", node2.published());
        assertFalse(node1.published());

        publish("e-3", endpoint("io.hotpot.api.FollowerService", "node2"));
        assertTrue(node2.published());
        assertFalse(node1.published());
        assertFalse("an endpoint of a session the discovery no longer has goes when that session expires",
                expired.published());
    }

    /**
     * The importing side (round 27 of a 30-minute fault run): another node's endpoint stays in
     * ZooKeeper but the discovery dropped its import. Restarted once it has been so for longer than
     * the discovery's session timeout, and not for an endpoint that is imported, or re-created.
     */
    @Test
    public void anotherNodesEndpointThatStaysUnimportedRestartsTheDiscovery() throws Exception {
        long session = curator.getZookeeperClient().getZooKeeper().getSessionId();
        long[] now = {1_000_000};
        java.util.List<String> restarts = new java.util.ArrayList<>();
        java.util.Set<String> imported = new java.util.HashSet<>();
        DiscoveryRepair node1 = new DiscoveryRepair(curator, discoveryContext(restarts), "node1", () -> now[0],
                () -> java.util.Set.of(session), () -> java.util.Set.copyOf(imported), new java.util.Random(1));
        publish("e-1", endpoint("io.hotpot.api.FollowerService", "node1", "tcp://127.0.0.1:2541/a"));
        publish("e-2", endpoint("io.hotpot.api.FollowerService", "node2", "tcp://127.0.0.1:2542/b"));
        imported.add("tcp://127.0.0.1:2542/b");
        node1.reconnected();

        now[0] += DiscoveryRepair.FIRST_CHECK_MS + DiscoveryRepair.JITTER_MS;
        node1.tick();
        // node3 comes (or comes back) and node1's discovery misses it.
        publish("e-3", endpoint("io.hotpot.api.FollowerService", "node3", "tcp://127.0.0.1:2543/c"));
        for (int i = 0; i < 6; i++) {
            now[0] += DiscoveryRepair.FAST_PERIOD_MS;
            node1.tick();
        }
        assertEquals("10 s is within the session timeout: an expired session's znode may still be there",
                java.util.List.of(), restarts);
        // Re-created (a restarted node3): a new znode starts from zero.
        curator.delete().forPath(DiscoveryRepair.REGISTRY + "/e-3");
        publish("e-3", endpoint("io.hotpot.api.FollowerService", "node3", "tcp://127.0.0.1:2543/c"));
        for (int i = 0; i < 6; i++) {
            now[0] += DiscoveryRepair.FAST_PERIOD_MS;
            node1.tick();
        }
        assertEquals(java.util.List.of(), restarts);
        now[0] += DiscoveryRepair.FAST_PERIOD_MS;
        node1.tick();
        assertEquals("12 s in ZooKeeper, not imported", java.util.List.of("stop", "start"), restarts);

        // Imported again after the restart: nothing more, also long after.
        restarts.clear();
        imported.add("tcp://127.0.0.1:2543/c");
        for (int i = 0; i < 40; i++) {
            now[0] += DiscoveryRepair.PERIOD_MS;
            node1.tick();
        }
        assertEquals(java.util.List.of(), restarts);
    }

    private void publish(String id, String xml) throws Exception {
        curator.create().creatingParentContainersIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                .forPath(DiscoveryRepair.REGISTRY + "/" + id, xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String endpoint(String objectClass, String nodeId) {
        return endpoint(objectClass, nodeId, "tcp://127.0.0.1:2543/x");
    }

    private static String endpoint(String objectClass, String nodeId, String endpointId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<endpoint-descriptions xmlns=\"http://www.osgi.org/xmlns/rsa/v1.0.0\"><endpoint-description>"
                + "<property name=\"objectClass\" value-type=\"String\"><array><value>" + objectClass + "</value></array></property>"
                + "<property name=\"endpoint.id\" value=\"" + endpointId + "\"/>"
                + "<property name=\"hotpot.node.id\" value=\"" + nodeId + "\"/>"
                + "</endpoint-description></endpoint-descriptions>";
    }

    /** A framework with one ACTIVE discovery bundle, which records its stops and starts. */
    private static BundleContext discoveryContext(java.util.List<String> restarts) {
        org.osgi.framework.Bundle discovery = (org.osgi.framework.Bundle) Proxy.newProxyInstance(
                BundleContext.class.getClassLoader(), new Class<?>[]{org.osgi.framework.Bundle.class}, (p, m, a) ->
                        switch (m.getName()) {
                            case "getSymbolicName" -> DiscoveryRepair.DISCOVERY_BUNDLE;
                            case "getState" -> org.osgi.framework.Bundle.ACTIVE;
                            case "getBundleId" -> 42L;
                            case "stop", "start" -> {
                                restarts.add(m.getName());
                                yield null;
                            }
                            default -> throw new AssertionError("unexpected call: " + m.getName());
                        });
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[]{BundleContext.class}, (p, m, a) -> {
                    if (m.getName().equals("getBundles")) {
                        return new org.osgi.framework.Bundle[]{discovery};
                    }
                    throw new AssertionError("unexpected call: " + m.getName());
                });
    }

    /** The check reads ZooKeeper only; the context is for the repair, which these cases never reach. */
    private static BundleContext unusedContext() {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[]{BundleContext.class}, (p, m, a) -> {
                    throw new AssertionError("the check must not touch the framework: " + m.getName());
                });
    }
}
