package io.hotpot.shell;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.cluster.NodeProgress;
import io.hotpot.api.cluster.NodeProgress.Step;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.api.cluster.Trigger;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertTrue;

/** Issue 10 item 8: a rollout that touched nothing says REFUSED, in one line short enough to read. */
public class RolloutTableTest {

    private static final ArtifactDescriptor KV = new ArtifactDescriptor("io.hotpot.examples.kv.store", "1.2.1", "ab".repeat(32), 100);

    private static ApplyReport report(String node, ApplyOutcome outcome, ApplyPhase phase) {
        return new ApplyReport(node, KV, outcome, "1.1.0", "1.1.0", "ACTIVE", phase,
                KV.coordinates() + " would not resolve on " + node + ", nothing changed: " + "x".repeat(900), -1, -1, -1, 3);
    }

    private static RolloutRecord halted(List<NodeProgress> nodes) {
        return new RolloutRecord("r-1", "kv.jar", KV, null, RolloutPolicy.of("all", 1, null), Trigger.CONSOLE, "node1",
                0, 10, RolloutStatus.ROLLED_BACK, "refused by [node2, node3] before anything was applied; "
                + "y".repeat(2_000), nodes);
    }

    @Test
    public void aRolloutRefusedBeforeAnyApplyIsRefusedInOneShortLine() {
        String verdict = RolloutTable.verdict(halted(List.of(
                new NodeProgress("node1", Step.SKIPPED, null, "not touched", 1),
                new NodeProgress("node2", Step.FAILED, report("node2", ApplyOutcome.REJECTED, ApplyPhase.RESOLVE), "", 1),
                new NodeProgress("node3", Step.FAILED, report("node3", ApplyOutcome.REJECTED, ApplyPhase.RESOLVE), "", 1))));
        assertTrue(verdict, verdict.startsWith("REFUSED: rollout r-1"));
        assertTrue(verdict, verdict.contains("0/3 nodes run it"));
        assertTrue(verdict.length() + " characters: " + verdict, verdict.length() <= 400);
    }

    @Test
    public void aRolloutThatUpdatedANodeAndReturnedItIsRolledBack() {
        String verdict = RolloutTable.verdict(halted(List.of(
                new NodeProgress("node1", Step.ROLLED_BACK, report("node1", ApplyOutcome.UPDATED, null), "", 1),
                new NodeProgress("node2", Step.FAILED, report("node2", ApplyOutcome.ROLLED_BACK, ApplyPhase.HEALTH), "", 1))));
        assertTrue(verdict, verdict.startsWith("ROLLED BACK: rollout r-1"));
    }
}
