package io.hotpot.runtime.deploy;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.api.cluster.RolloutPolicy;
import io.hotpot.api.cluster.RolloutRecord;
import io.hotpot.api.cluster.RolloutStatus;
import io.hotpot.api.cluster.Trigger;
import io.hotpot.runtime.Jars;
import io.hotpot.runtime.artifact.Sha256;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.Assert.assertEquals;

/** Issue 9 item 5: FileInstall hands every deploy/ jar over again at each start; what was distributed is not redone. */
public class DeployTriggerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<String> distributed = new CopyOnWriteArrayList<>();
    private volatile Map<String, ArtifactDescriptor> desired = Map.of();

    /** A cluster that records what it is asked to distribute, and reports every rollout completed. */
    private ClusterAdmin cluster() {
        return (ClusterAdmin) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ClusterAdmin.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "distribute" -> {
                        distributed.add((String) args[0]);
                        ArtifactDescriptor a = new ArtifactDescriptor("x", "1.0.0", "ab".repeat(32), 1);
                        yield new RolloutRecord("r-" + distributed.size(), (String) args[0], a, null, (RolloutPolicy) args[2],
                                Trigger.DEPLOY, "node1", 0, 1, RolloutStatus.COMPLETED, "", List.of());
                    }
                    case "desired" -> desired;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private DeployTrigger startNode(Path deploy) {
        return new DeployTrigger("node1", deploy, cluster(), RolloutPolicy.of("all", 1, null), new FileStability(10, 100, 5_000),
                tmp.getRoot().toPath().resolve("data/deploy-distributed.properties"));
    }

    @Test
    public void aJarDistributedBeforeARestartIsNotDistributedAgain() throws Exception {
        Path deploy = Files.createDirectories(tmp.getRoot().toPath().resolve("deploy"));
        Path jar = Files.copy(Jars.bundle(tmp.getRoot().toPath(), "org.example.a", "1.0.0", 100), deploy.resolve("a.jar"));
        startNode(deploy).install(jar.toFile());
        assertEquals(1, distributed.size());

        // The restart: a new trigger, and FileInstall hands the same file over again.
        startNode(deploy).install(jar.toFile());
        assertEquals("redistributed after a restart: " + distributed, 1, distributed.size());

        // New bytes in the same file are a new rollout.
        Files.copy(Jars.bundle(tmp.getRoot().toPath(), "org.example.a", "1.1.0", 100), jar,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        startNode(deploy).update(jar.toFile());
        assertEquals(2, distributed.size());
    }

    @Test
    public void aJarTheClusterAlreadyRunsIsNotDistributed() throws Exception {
        Path deploy = Files.createDirectories(tmp.getRoot().toPath().resolve("deploy"));
        Path jar = Files.copy(Jars.bundle(tmp.getRoot().toPath(), "org.example.b", "1.0.0", 100), deploy.resolve("b.jar"));
        desired = Map.of("org.example.b", new ArtifactDescriptor("org.example.b", "1.0.0", Sha256.of(jar), Files.size(jar)));
        startNode(deploy).install(jar.toFile());
        assertEquals(0, distributed.size());
    }
}
