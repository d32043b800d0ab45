package io.hotpot.itests.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a failed console command leaves behind for whoever reads the report: a thread dump of every
 * node and of the test JVM itself, each node's log, and the answer of two independent clients
 * (OpenSSH's {@code ssh} up to authentication, and Karaf's own {@code bin/client} in a JVM of its
 * own), so a stall can be placed in the node, in the test JVM's SSH client, or in neither.
 *
 * <p>Written to {@code target/failsafe-reports/diagnostics/<time>-<node>/}, beside the failsafe
 * report of the test, whose failure message names the folder. Never throws, and never writes to
 * the test JVM's stdout or stderr: a diagnosis that fails must not hide the failure it explains.
 */
final class NodeDiagnostics {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("HHmmss-SSS");

    /** bash -c script, arguments PID and SSH port: the listener's descriptor, every epoll instance, every poller. */
    private static final String EPOLL = String.join("\n",
            "pid=$1; port=$2",
            "ino=$(ss -tlnHe \"( sport = :$port )\" | grep -o 'ino:[0-9]*' | head -n 1 | cut -d: -f2)",
            "echo \"SSH listener: port $port, socket inode $ino\"",
            "for f in /proc/$pid/fd/*; do l=$(readlink \"$f\"); n=${f##*/}",
            "  [[ $l == \"socket:[$ino]\" ]] && echo \"SSH listener: fd $n\"",
            "  [[ $l == 'anon_inode:[eventpoll]' ]] && { echo \"== epoll instance fd $n\"; cat /proc/$pid/fdinfo/$n; }",
            "done",
            "echo '== threads in epoll_wait/epoll_pwait (syscall 232/281/441; first argument is the epoll fd)'",
            "for t in /proc/$pid/task/*; do read -r nr a1 rest < \"$t/syscall\" 2>/dev/null || continue",
            "  case $nr in 232|281|441) echo \"tid ${t##*/} ($(cat \"$t/comm\")): syscall $nr epfd $((a1))\";; esac",
            "done");

    private NodeDiagnostics() {
    }

    /**
     * @param failed  the node whose console failed
     * @param failure what failed
     * @param nodes   every node of the cluster: name to (PID, SSH port, home)
     * @return the folder the diagnosis was written to
     */
    static Path collect(String failed, Throwable failure, Map<String, Node> nodes) {
        Path dir = Path.of(System.getProperty("hotpot.diagnostics", "target/failsafe-reports/diagnostics"))
                .resolve(LocalDateTime.now().format(STAMP) + "-" + failed);
        try {
            Files.createDirectories(dir);
            write(dir.resolve("failure.txt"), failed + ": " + failure);
            // The test JVM first: its SSH client's threads are what a client-side stall would show.
            write(dir.resolve("test-jvm-threads.txt"), ownThreads());
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                Node n = e.getValue();
                write(dir.resolve(e.getKey() + "-threads.txt"), run(20, "jcmd", Long.toString(n.pid()), "Thread.print", "-l"));
                write(dir.resolve(e.getKey() + "-openssh.txt"), run(20, "ssh", "-v", "-o", "BatchMode=yes",
                        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
                        "-p", Integer.toString(n.sshPort()), "karaf@127.0.0.1", "bundle:list"));
                // The SSH port's sockets (a LISTEN Recv-Q above 0: connections the node does not accept) and
                // the JVM's descriptors (its epoll instances and sockets), for a stall inside the node's SSHD.
                write(dir.resolve(e.getKey() + "-sockets.txt"), run(20, "ss", "-tanpei", "( sport = :" + n.sshPort()
                        + " or dport = :" + n.sshPort() + " )") + run(20, "ls", "-l", "/proc/" + n.pid() + "/fd"));
                // Which epoll instance each poller thread waits in, and whether the SSH listener is in it and
                // armed (fdinfo "events: 40000019", EPOLLONESHOT|EPOLLIN|EPOLLERR|EPOLLHUP) or fired and not re-armed (40000000):
                // this tells a lost wakeup from an accept that Java never asked for again.
                write(dir.resolve(e.getKey() + "-epoll.txt"), run(20, "bash", "-c", EPOLL, "epoll",
                        Long.toString(n.pid()), Integer.toString(n.sshPort())));
                nio2State(n.pid(), dir.resolve(e.getKey() + "-nio2.txt"));
                write(dir.resolve(e.getKey() + "-bin-client.txt"), run(40, "bash", "-c",
                        "echo 'bundle:list -s' | '" + n.home().resolve("bin/client") + "' -b -u karaf -p karaf -a "
                                + n.sshPort() + " -h 127.0.0.1"));
                // karaf.out is the node's stdout and stderr: where the JDK prints what kills a poller thread.
                for (Path log : List.of(n.home().resolve("data/log/karaf.log"), n.home().resolve("karaf.out"))) {
                    if (Files.exists(log)) {
                        Files.copy(log, dir.resolve(e.getKey() + "-" + log.getFileName()));
                    }
                }
            }
        } catch (Exception | Error e) {
            // Not to stderr: a stalled stderr may be what is being diagnosed.
            try {
                write(dir.resolve("incomplete.txt"), e.toString());
            } catch (IOException ignored) {
                // The folder's name in the failure's message is all that is left.
            }
        }
        return dir;
    }

    /** A node as the diagnosis needs it. */
    record Node(long pid, int sshPort, Path home) {
    }

    /**
     * Writes to {@code file} what the node's JDK holds about its NIO.2 channels ({@link AcceptStateAgent}
     * writes it), loaded through the attach API in a thread of its own so that a node that does not
     * answer cannot hold the diagnosis; writes why not instead, to {@code file}.error.
     */
    private static void nio2State(long pid, Path file) throws IOException {
        java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                Path jar = AcceptStateAgent.jar();
                try {
                    com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
                    try {
                        vm.loadAgent(jar.toString(), file.toAbsolutePath().toString());
                    } finally {
                        vm.detach();
                    }
                } finally {
                    Files.deleteIfExists(jar);
                }
            } catch (Exception | Error e) {
                failure.set("could not load the agent: " + e);
            }
        }, "hotpot-diagnostics-attach");
        t.setDaemon(true);
        t.start();
        try {
            t.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            failure.set("the agent did not answer within 20 s");
        }
        if (failure.get() != null) {
            write(file.resolveSibling(file.getFileName() + ".error"), failure.get());
        }
    }

    private static String ownThreads() {
        StringBuilder out = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                out.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            }
            out.append('\n');
            for (StackTraceElement s : t.getStackTrace()) {
                out.append("\tat ").append(s).append('\n');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String run(int seconds, String... command) {
        try {
            Path out = Files.createTempFile("hotpot-diag", ".txt");
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long t0 = System.nanoTime();
            boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            String text = "$ " + String.join(" ", command) + "\n" + Files.readString(out, StandardCharsets.UTF_8)
                    + "\n[" + (ended ? "exit " + p.exitValue() : "NO ANSWER, killed") + " after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms]\n";
            Files.deleteIfExists(out);
            return text;
        } catch (IOException e) {
            return "$ " + String.join(" ", command) + "\ncould not run: " + e + "\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
