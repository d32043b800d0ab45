package io.hotpot.runtime;

import io.hotpot.api.cluster.RolloutPolicy;
import org.junit.Test;

import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class NodeSettingsTest {

    private static NodeSettings settings(String nodeId, String root, int chunk) {
        return settings(nodeId, root, chunk, 3);
    }

    private static NodeSettings settings(String nodeId, String root, int chunk, int keptVersions) {
        return new NodeSettings(nodeId, "127.0.0.1:2181", root, 10_000, 5_000, chunk, 1000, 1000, 1000, 1000, 1000, 1000,
                Path.of("deploy"), Path.of("data"), 5_000, keptVersions, 100, RolloutPolicy.ALL, 16, 60_000, 3_600_000);
    }

    @Test
    public void acceptsAValidConfiguration() {
        assertEquals("node-1", settings("node-1", "/hotpot", 1024).nodeId());
    }

    @Test
    public void namesTheKeyOfAnInvalidValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("n1", "/hotpot", 0));
        assertTrue(e.getMessage(), e.getMessage().startsWith("chunk.size.bytes"));
        e = assertThrows(IllegalArgumentException.class, () -> settings("n1", "hotpot", 10));
        assertTrue(e.getMessage(), e.getMessage().startsWith("zookeeper.root"));
        e = assertThrows(IllegalArgumentException.class, () -> settings("../n1", "/hotpot", 10));
        assertTrue(e.getMessage(), e.getMessage().startsWith("node.id"));
        e = assertThrows(IllegalArgumentException.class, () -> settings("n1", "/hotpot", 10, 1));
        assertTrue(e.getMessage(), e.getMessage().startsWith("kept.versions"));
    }
}
