package io.hotpot.runtime.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Leadership and membership against a real ZooKeeper server on 127.0.0.1 (Curator's TestingServer). */
public class LeadershipTest {

    private TestingServer zk;
    private final List<AutoCloseable> open = new ArrayList<>();

    @Before
    public void startZooKeeper() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
    }

    @After
    public void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        zk.close();
    }

    private CuratorFramework client() {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), 5000, 5000, new RetryOneTime(100));
        c.start();
        open.add(c);
        return c;
    }

    @Test
    public void exactlyOneNodeLeadsAndAnotherTakesOverWhenItLeaves() throws Exception {
        Leadership a = new Leadership(client(), "/hotpot", "a");
        Leadership b = new Leadership(client(), "/hotpot", "b");
        open.add(b);
        a.start();
        waitUntil(a::isLeader);
        b.start();
        Thread.sleep(300);
        assertFalse(b.isLeader());
        assertEquals(Optional.of("a"), b.leaderId());

        a.close();
        waitUntil(b::isLeader);
        assertEquals(Optional.of("b"), b.leaderId());
    }

    @Test
    public void membersFailFastWithoutAConnection() throws Exception {
        CuratorFramework c = CuratorFrameworkFactory.newClient("127.0.0.1:1", 5000, 5000, new RetryOneTime(100));
        c.start();
        open.add(c);
        Membership m = new Membership(c, "/hotpot", "lonely", "x");
        long start = System.nanoTime();
        try {
            m.members();
            throw new AssertionError("members() answered without ZooKeeper");
        } catch (IllegalStateException expected) {
            assertTrue("took " + (System.nanoTime() - start) / 1_000_000 + " ms", System.nanoTime() - start < 1_000_000_000L);
        }
        assertEquals(Optional.empty(), new Leadership(c, "/hotpot", "lonely").leaderId());
    }

    @Test
    public void membersAreListedWhileTheirSessionLives() throws Exception {
        Membership m1 = new Membership(client(), "/hotpot", "node1", "x");
        CuratorFramework c2 = client();
        Membership m2 = new Membership(c2, "/hotpot", "node2", "y");
        open.add(m1);
        m1.start();
        m2.start();
        waitUntil(() -> m1.members().size() == 2);
        assertEquals(List.of("node1", "node2"), m1.members());
        m2.close();
        waitUntil(() -> m1.members().equals(List.of("node1")));
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static boolean holds(Condition c) {
        try {
            return c.holds();
        } catch (Exception e) {
            // members() refuses to block while the client is still connecting.
            return false;
        }
    }

    private static void waitUntil(Condition c) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!holds(c)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within 15 s");
            }
            Thread.sleep(20);
        }
    }

}
