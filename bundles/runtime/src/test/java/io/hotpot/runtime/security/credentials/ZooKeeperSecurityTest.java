package io.hotpot.runtime.security.credentials;

import io.hotpot.runtime.security.ticket.RolloutSequence;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Digest authentication, ACLs and the rollout sequence against a real ZooKeeper on 127.0.0.1. */
public class ZooKeeperSecurityTest {

    private TestingServer zk;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ZooKeeperCredentials cluster =
            new ZooKeeperCredentials(ClusterSecrets.generate(new SecureRandom()).zookeeperAuth());

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

    /** A client built the way HotpotNode builds its own. */
    private CuratorFramework node(ZooKeeperCredentials credentials) {
        CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .sessionTimeoutMs(5000).connectionTimeoutMs(5000).retryPolicy(new RetryOneTime(100))
                .authorization(ZooKeeperCredentials.SCHEME, credentials.authBytes())
                .aclProvider(credentials.aclProvider()).build();
        c.start();
        open.add(c);
        return c;
    }

    private CuratorFramework anonymous() {
        CuratorFramework c = CuratorFrameworkFactory.newClient(zk.getConnectString(), 5000, 5000, new RetryOneTime(100));
        c.start();
        open.add(c);
        return c;
    }

    @Test
    public void onlyTheClusterIdentityCanReadOrWriteDesiredState() throws Exception {
        CuratorFramework node = node(cluster);
        byte[] desired = "version=1.0.0".getBytes(StandardCharsets.UTF_8);
        node.create().creatingParentsIfNeeded().forPath("/hotpot/desired/org.example", desired);
        assertArrayEquals(desired, node.getData().forPath("/hotpot/desired/org.example"));
        assertEquals(cluster.acl(), node.getACL().forPath("/hotpot"));
        assertEquals(cluster.acl(), node.getACL().forPath("/hotpot/desired"));

        CuratorFramework[] strangers = {anonymous(),
                node(new ZooKeeperCredentials("hotpot:" + "wrong-secret-0123456789"))};
        for (CuratorFramework stranger : strangers) {
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getData().forPath("/hotpot/desired/org.example"));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.setData().forPath("/hotpot/desired/org.example", new byte[1]));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.create().withACL(ZooDefs.Ids.OPEN_ACL_UNSAFE)
                    .forPath("/hotpot/desired/org.evil", new byte[1]));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.getChildren().forPath("/hotpot/desired"));
            assertThrows(KeeperException.NoAuthException.class, () -> stranger.delete().forPath("/hotpot/desired/org.example"));
        }
        assertArrayEquals(desired, node.getData().forPath("/hotpot/desired/org.example"));
    }

    @Test
    public void curatorRecipesWorkUnderTheAcl() throws Exception {
        CuratorFramework a = node(cluster);
        CuratorFramework b = node(cluster);
        LeaderLatch latchA = new LeaderLatch(a, "/hotpot/leader", "node1");
        LeaderLatch latchB = new LeaderLatch(b, "/hotpot/leader", "node2");
        open.add(latchA);
        open.add(latchB);
        latchA.start();
        latchB.start();
        assertTrue(latchA.await(10, TimeUnit.SECONDS) || latchB.await(10, TimeUnit.SECONDS));
        a.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath("/hotpot/nodes/node1");
        assertEquals(List.of("node1"), b.getChildren().forPath("/hotpot/nodes"));
        assertEquals(cluster.acl(), a.getACL().forPath(latchA.getOurPath()));
    }

    @Test
    public void sequenceNumbersIncreaseAcrossLeadersAndAfterAWipe() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        RolloutSequence oldLeader = new RolloutSequence(node(cluster), "/hotpot", new RetryOneTime(10), clock::get);
        RolloutSequence newLeader = new RolloutSequence(node(cluster), "/hotpot", new RetryOneTime(10), () -> 5);
        long first = oldLeader.next();
        long second = oldLeader.next();
        assertEquals(1_000, first);
        assertEquals("a burst within one ms still increases", 1_001, second);
        long afterFailover = newLeader.next();
        assertEquals("a leader whose clock is behind continues from the counter", 1_002, afterFailover);

        node(cluster).delete().forPath("/hotpot/sequence");
        clock.set(50_000);
        assertEquals("after a wipe the wall clock carries on above", 50_000, oldLeader.next());
        assertEquals(cluster.acl(), node(cluster).getACL().forPath("/hotpot/sequence"));
    }
}
