package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.api.cluster.Trigger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

/** The rollout history in a real ZooKeeper server on 127.0.0.1 (Curator's TestingServer). */
public class RolloutLogTest {

    private static final ArtifactDescriptor V1 = new ArtifactDescriptor("org.example", "1.0.0", "a".repeat(64), 10);
    private static final ArtifactDescriptor V2 = new ArtifactDescriptor("org.example", "2.0.0", "b".repeat(64), 20);

    private TestingServer zk;
    private CuratorFramework client;

    @Before
    public void start() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        client = CuratorFrameworkFactory.newClient(zk.getConnectString(), 5000, 5000, new RetryOneTime(100));
        client.start();
    }

    @After
    public void stop() throws Exception {
        client.close();
        zk.close();
    }

    private static RolloutRecord rollout(String id, long at, RolloutStatus status) {
        return new RolloutRecord(id, "file:/x.jar", V2, V1, RolloutPolicy.parse("rolling:2"), Trigger.CONSOLE, "node1",
                at, status.finished() ? at + 5 : 0, status, "", List.of(
                new NodeProgress("node2", NodeProgress.Step.PENDING, null, "", at)));
    }

    @Test
    public void aRolloutAndItsNodesProgressReadBackAsWritten() throws Exception {
        RolloutLog log = new RolloutLog(client, "/hotpot");
        log.write(rollout("r-1", 1000, RolloutStatus.RUNNING));
        ApplyReport failed = new ApplyReport("node2", V2, ApplyOutcome.ROLLED_BACK, "1.0.0", "1.0.0", "ACTIVE",
                ApplyPhase.HEALTH, "unhealthy", 42, 1500, 3, 77);
        log.progress("r-1", new NodeProgress("node2", NodeProgress.Step.FAILED, failed, "unhealthy", 2000));

        // progress() writes in the background.
        for (int i = 0; i < 100 && log.read("r-1").orElseThrow().nodes().get(0).step() != NodeProgress.Step.FAILED; i++) {
            Thread.sleep(50);
        }
        RolloutRecord read = log.read("r-1").orElseThrow();
        assertEquals(RolloutStatus.RUNNING, read.status());
        assertEquals(V2, read.artifact());
        assertEquals(V1, read.previous());
        assertEquals("rolling:2", read.policy().toString());
        assertEquals(failed, read.nodes().get(0).report());
        assertEquals("unhealthy", read.nodes().get(0).detail());
    }

    @Test
    public void listsNewestFirstAndPrunesOnlyFinishedRolloutsBeyondTheCount() throws Exception {
        RolloutLog log = new RolloutLog(client, "/hotpot");
        log.write(rollout("r-old-running", 1, RolloutStatus.RUNNING));
        log.write(rollout("r-2", 2, RolloutStatus.COMPLETED));
        log.write(rollout("r-3", 3, RolloutStatus.ROLLED_BACK));
        log.write(rollout("r-4", 4, RolloutStatus.COMPLETED));
        log.prune(2);
        List<String> ids = log.list().stream().map(RolloutRecord::rolloutId).toList();
        assertEquals(List.of("r-4", "r-3", "r-old-running"), ids);
        assertNull(log.read("r-2").orElse(null));
    }

    /**
     * Issue 11 item 1: a ticket counts only while the cluster runs its rollout. What a node was
     * handed before (a halted rollout's ticket, on a node the halt skipped) or long ago (any old
     * ticket, on a node with an empty replay record) is refused, naming the rollout.
     */
    @Test
    public void aTicketCountsOnlyWhileTheClusterRunsItsRollout() throws Exception {
        RolloutLog log = new RolloutLog(client, "/hotpot");
        io.hotpot.api.RolloutTicket forward = new io.hotpot.api.RolloutTicket("r-1", 7, V2, "node1", false);
        io.hotpot.api.RolloutTicket back = new io.hotpot.api.RolloutTicket("r-1", 8, V1, "node1", true);
        io.hotpot.api.RolloutTicket backUnflagged = new io.hotpot.api.RolloutTicket("r-1", 8, V1, "node1", false);

        assertEquals(java.util.Optional.of("the cluster records no rollout 'r-1'"), log.refusal(forward, 200));
        log.write(rollout("r-1", 1000, RolloutStatus.RUNNING));
        assertEquals(java.util.Optional.empty(), log.refusal(forward, 200));
        assertEquals("the return of a halt, signed while it runs", java.util.Optional.empty(), log.refusal(back, 200));
        assertEquals(java.util.Optional.of("rollout 'r-1' is of org.example/2.0.0, not of org.example/1.0.0 sha256 "
                + V1.shortDigest()), log.refusal(backUnflagged, 200));

        log.write(rollout("r-1", 1000, RolloutStatus.ROLLED_BACK));
        assertEquals(java.util.Optional.of("rollout 'r-1' is ROLLED_BACK, not running: the cluster no longer stands"
                + " behind its tickets"), log.refusal(forward, 200));

        zk.stop();
        String down = log.refusal(forward, 200).orElseThrow();
        org.junit.Assert.assertTrue(down, down.startsWith("cannot read rollout 'r-1' from ZooKeeper"));
    }
}
