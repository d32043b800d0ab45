package io.hotpot.itests.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * N real Karaf nodes of the built distribution on 127.0.0.1, started and stopped through
 * {@code distribution/hotpot-cluster.sh}, the same script users run. ZooKeeper is the caller's.
 *
 * <p>{@link #close()} stops every process this cluster started, by PID, and a JVM shutdown hook
 * does the same if the test JVM exits without closing, so no Karaf outlives a failed test.
 */
public final class LocalCluster implements AutoCloseable {

    private final Path script;
    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, KarafConsole> consoles = new HashMap<>();
    private final Thread reaper = new Thread(this::killAll, "hotpot-cluster-reaper");

    private LocalCluster(Path script, Path dir) {
        this.script = script;
        this.dir = dir;
    }

    /**
     * Starts the nodes and returns once each answers on its console.
     *
     * @param nodes           how many nodes
     * @param dir             a fresh folder for the nodes' homes
     * @param zookeeperConnect the ZooKeeper the nodes use
     */
    public static LocalCluster start(int nodes, Path dir, String zookeeperConnect) throws Exception {
        Path script = Path.of(System.getProperty("hotpot.cluster.script"));
        LocalCluster cluster = new LocalCluster(script, dir);
        Runtime.getRuntime().addShutdownHook(cluster.reaper);
        try {
            cluster.script("start", "--nodes", Integer.toString(nodes), "--dir", dir.toString(),
                    "--zookeeper", zookeeperConnect);
        } finally {
            cluster.readEnv();
        }
        return cluster;
    }

    /** @return the node names, e.g. node1..node3 */
    public List<String> nodes() {
        return Arrays.asList(env.getOrDefault("NODES", "").trim().split("\\s+"));
    }

    /** @return the node's Karaf home (its etc/, data/, deploy/) */
    public Path home(String node) {
        return Path.of(env.get(node + "_HOME"));
    }

    /** @return the node's Aries RSA fastbin port */
    public int fastbinPort(String node) {
        return Integer.parseInt(env.get(node + "_FASTBIN"));
    }

    /** @return the node's JMX URL, as Karaf's {@code org.apache.karaf.management.cfg} composes it */
    public String jmxUrl(String node) {
        return "service:jmx:rmi://127.0.0.1:" + env.get(node + "_JMX_SERVER") + "/jndi/rmi://127.0.0.1:"
                + env.get(node + "_JMX_REGISTRY") + "/karaf-" + node;
    }

    /** @return the node's SSH port */
    public int sshPort(String node) {
        return Integer.parseInt(env.get(node + "_SSH"));
    }

    /** @return the cluster's credentials file, which every node holds a copy of in its etc/ */
    public Path securityFile() {
        return dir.resolve("hotpot-credentials.properties");
    }

    /** @return the node's JVM process id */
    public long pid(String node) {
        return Long.parseLong(env.get(node + "_PID"));
    }

    /** @return the console of that node */
    public synchronized KarafConsole console(String node) {
        return consoles.computeIfAbsent(node, n -> new KarafConsole(Integer.parseInt(env.get(n + "_SSH"))));
    }

    /** Runs a console command on a node and returns its output. */
    public String run(String node, String command) {
        try {
            return console(node).run(command);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (thread dumps, logs and probes: " + diagnose(node, e)
                    + ")", e);
        }
    }

    /**
     * Keeps thread dumps of every node and of the test JVM, each node's log, and the answers of
     * independent SSH clients, beside the failsafe report ({@link NodeDiagnostics}).
     *
     * @return the folder they are in
     */
    public Path diagnose(String node, Throwable failure) {
        Map<String, NodeDiagnostics.Node> all = new java.util.LinkedHashMap<>();
        for (String n : nodes()) {
            try {
                all.put(n, new NodeDiagnostics.Node(pid(n), sshPort(n), home(n)));
            } catch (RuntimeException ignored) {
                // A node without a recorded PID or port (never started) has nothing to dump.
            }
        }
        return NodeDiagnostics.collect(node, failure, all).toAbsolutePath();
    }

    /** kill -9 of one node's JVM, as a crash would. */
    public void kill(String node) throws Exception {
        script("kill", "--dir", dir.toString(), node);
    }

    /**
     * Stops one node the way an operator does (SIGTERM: Karaf's shutdown hook stops the framework and
     * every bundle in order), by its PID; SIGKILL if it is still alive after two minutes.
     */
    public void stop(String node) throws Exception {
        synchronized (this) {
            KarafConsole console = consoles.remove(node);
            if (console != null) {
                console.close();
            }
        }
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid(node));
        if (process.isEmpty()) {
            return;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(2, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            process.get().destroyForcibly();
            throw new IllegalStateException(node + " did not stop within two minutes of SIGTERM; killed", e);
        }
    }

    /** Starts a stopped or killed node again, with its home and ports; returns once its console answers. */
    public void startNode(String node) throws Exception {
        try {
            script("start-node", "--dir", dir.toString(), node);
        } finally {
            // Also when it failed: the diagnosis needs the new process's pid.
            readEnv();
        }
    }

    /**
     * Starts a stopped node again and returns once its console answers, whether Hotpot's runtime
     * runs or not: for a node whose activation is meant to fail.
     */
    public void startNodeConsoleOnly(String node) throws Exception {
        try {
            script("start-node", "--dir", dir.toString(), "--console-only", node);
        } finally {
            readEnv();
        }
    }

    /** @return the node's karaf.log */
    /** @return how many times the node's Hotpot runtime started, as its log says ({@code Hotpot: node N started}) */
    public int runtimeStarts(String node) throws IOException {
        return log(node).split("Hotpot: node " + node + " started", -1).length - 1;
    }

    public String log(String node) throws IOException {
        Path log = home(node).resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        consoles.values().forEach(KarafConsole::close);
        try {
            script("stop", "--dir", dir.toString());
        } finally {
            killAll();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException ignored) {
                // The JVM is already shutting down.
            }
        }
    }

    private void killAll() {
        // The last resort, by PID: only processes this cluster's script recorded.
        List<String> names = new ArrayList<>(nodes());
        names.add("ZK");
        for (String n : names) {
            String pid = env.get(n + "_PID");
            if (pid != null && !pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private void readEnv() throws IOException {
        Path file = dir.resolve("cluster.env");
        if (!Files.exists(file)) {
            return;
        }
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
            }
        }
    }

    private void script(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT);
        String dist = System.getProperty("hotpot.dist");
        if (dist != null) {
            pb.environment().put("HOTPOT_DIST", dist);
        }
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("hotpot-cluster.sh " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("hotpot-cluster.sh " + String.join(" ", args) + " exited with " + p.exitValue());
        }
    }
}
