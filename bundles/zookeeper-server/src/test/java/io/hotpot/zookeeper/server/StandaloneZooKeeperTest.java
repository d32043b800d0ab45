package io.hotpot.zookeeper.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Runs the main class in its own JVM, the way the cluster script does, and stops it with SIGTERM. */
public class StandaloneZooKeeperTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Process process;

    @After
    public void killLeftover() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    // The timeout bounds the blocking readLine below if the process hangs before printing anything.
    @Test(timeout = 60_000)
    public void printsReadyLineServesClientsAndStopsOnSigterm() throws Exception {
        int port = ZooKeeperTestSupport.freeLoopbackPort();
        Path dataDir = folder.newFolder("zk").toPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                StandaloneZooKeeper.class.getName(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir", dataDir.toString()))
                .redirectError(new File(folder.getRoot(), "stderr.txt"))
                .start();

        BufferedReader stdout = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = stdout.readLine();
        assertEquals(StandaloneZooKeeper.READY_PREFIX + "127.0.0.1:" + port, line);

        assertEquals("v", ZooKeeperTestSupport.roundTrip("127.0.0.1:" + port, "/standalone", "v"));

        process.destroy(); // SIGTERM
        assertTrue("StandaloneZooKeeper did not stop within 20 s of SIGTERM", process.waitFor(20, TimeUnit.SECONDS));
        // 143 = killed by SIGTERM; the JVM still ran the shutdown hook that closes the server.
        assertTrue("exit code " + process.exitValue(), process.exitValue() == 0 || process.exitValue() == 143);
    }

    @Test(expected = IllegalArgumentException.class)
    public void rejectsUnknownOptions() {
        StandaloneZooKeeper.parse(new String[] {"--bogus", "1"});
    }
}
