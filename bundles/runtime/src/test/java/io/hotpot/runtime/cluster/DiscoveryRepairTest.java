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
                () -> java.util.Set.of(session));
        DiscoveryRepair node1 = new DiscoveryRepair(curator, unusedContext(), "node1", System::currentTimeMillis,
                () -> java.util.Set.of(session));
        DiscoveryRepair expired = new DiscoveryRepair(curator, unusedContext(), "node2", System::currentTimeMillis,
                () -> java.util.Set.of(session + 1));
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

    private void publish(String id, String xml) throws Exception {
        curator.create().creatingParentContainersIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                .forPath(DiscoveryRepair.REGISTRY + "/" + id, xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String endpoint(String objectClass, String nodeId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<endpoint-descriptions xmlns=\"http://www.osgi.org/xmlns/rsa/v1.0.0\"><endpoint-description>"
                + "<property name=\"objectClass\" value-type=\"String\"><array><value>" + objectClass + "</value></array></property>"
                + "<property name=\"endpoint.id\" value=\"tcp://127.0.0.1:2543/x\"/>"
                + "<property name=\"hotpot.node.id\" value=\"" + nodeId + "\"/>"
                + "</endpoint-description></endpoint-descriptions>";
    }

    /** The check reads ZooKeeper only; the context is for the repair, which these cases never reach. */
    private static BundleContext unusedContext() {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[]{BundleContext.class}, (p, m, a) -> {
                    throw new AssertionError("the check must not touch the framework: " + m.getName());
                });
    }
}
