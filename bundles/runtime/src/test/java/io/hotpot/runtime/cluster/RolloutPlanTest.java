package io.hotpot.runtime.cluster;

import io.hotpot.api.cluster.RolloutPolicy;
import org.junit.Test;

import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class RolloutPlanTest {

    private static final Set<String> NODES = Set.of("node3", "node1", "node2", "node4");

    @Test
    public void allIsOneBatchWithTheLeaderLast() {
        assertEquals(List.of(List.of("node1", "node3", "node4", "node2")),
                RolloutPlan.of(RolloutPolicy.ALL, "node2", NODES).batches());
    }

    @Test
    public void rollingCutsFollowersThenLeaderIntoBatches() {
        assertEquals(List.of(List.of("node1", "node3"), List.of("node4", "node2")),
                RolloutPlan.of(RolloutPolicy.parse("rolling:2"), "node2", NODES).batches());
        assertEquals(List.of(List.of("node1"), List.of("node3"), List.of("node4"), List.of("node2")),
                RolloutPlan.of(RolloutPolicy.parse("rolling:1"), "node2", NODES).batches());
        assertEquals(List.of(List.of("node1", "node3", "node4", "node2")),
                RolloutPlan.of(RolloutPolicy.parse("rolling:9"), "node2", NODES).batches());
    }

    @Test
    public void canaryGoesAloneFirstThenEveryOtherNode() {
        assertEquals(List.of(List.of("node1"), List.of("node3", "node4", "node2")),
                RolloutPlan.of(RolloutPolicy.parse("canary"), "node2", NODES).batches());
        assertEquals(List.of(List.of("node4"), List.of("node1", "node3", "node2")),
                RolloutPlan.of(RolloutPolicy.parse("canary:node4"), "node2", NODES).batches());
        assertEquals(List.of(List.of("node2")), RolloutPlan.of(RolloutPolicy.parse("canary"), "node2", Set.of("node2")).batches());
    }

    @Test
    public void aCanaryThatIsNoMemberIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RolloutPlan.of(RolloutPolicy.parse("canary:node9"), "node2", NODES));
        assertEquals("canary node9 is not a cluster member; members: [node1, node2, node3, node4]", e.getMessage());
    }

    @Test
    public void policiesReadBackTheirOwnForm() {
        for (String form : List.of("all", "rolling:3", "canary", "canary:node2")) {
            assertEquals(form, RolloutPolicy.parse(form).toString());
        }
        assertThrows(IllegalArgumentException.class, () -> RolloutPolicy.parse("blue-green"));
        assertThrows(IllegalArgumentException.class, () -> RolloutPolicy.parse("rolling:0"));
        assertThrows(IllegalArgumentException.class, () -> RolloutPolicy.parse("rolling:x"));
    }
}
