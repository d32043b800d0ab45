package io.hotpot.itests.cluster;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;

/**
 * Runs Karaf console commands on one node over its SSH port, as an operator would with
 * {@code ssh -p PORT karaf@127.0.0.1 'hot:status'}. One SSH session per command.
 *
 * <p>No retry: a session that cannot be opened is a defect of the node or of this client, and
 * {@link LocalCluster#run} then keeps a diagnosis of both ({@link NodeDiagnostics}).
 */
public final class KarafConsole implements Closeable {

    private final int port;
    private final String user;
    private final String password;
    private final SshClient client;

    /** A console of the distribution's admin user, karaf/karaf. */
    public KarafConsole(int port) {
        this(port, "karaf", "karaf");
    }

    /** A console of another user of the node's etc/users.properties, e.g. the read-only viewer. */
    public KarafConsole(int port, String user, String password) {
        this.port = port;
        this.user = user;
        this.password = password;
        this.client = newClient();
    }

    /**
     * What a command printed and how it exited.
     *
     * @param output what it printed on stdout and stderr
     * @param exit   the exit status the SSH channel reported (non-zero when the command failed), or null
     */
    public record Result(String output, Integer exit) {
    }

    /**
     * @return what the command printed on stdout and stderr
     * @throws IllegalStateException if no session could be opened, or the command did not end in time
     */
    public String run(String command) {
        return exec(command).output();
    }

    /**
     * @return what the command printed, and its exit status
     * @throws IllegalStateException as {@link #run}
     */
    public Result exec(String command) {
        ClientSession session;
        try {
            session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(20)).getSession();
            session.addPasswordIdentity(password);
            session.auth().verify(Duration.ofSeconds(20));
        } catch (Exception e) {
            throw new IllegalStateException("command '" + command + "' on ssh port " + port + ": no session: " + e, e);
        }
        try (session) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var channel = session.createExecChannel(command)) {
                channel.setOut(out);
                channel.setErr(out);
                channel.open().verify(Duration.ofSeconds(20));
                channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(5));
                return new Result(out.toString(StandardCharsets.UTF_8), channel.getExitStatus());
            }
        } catch (Exception e) {
            throw new IllegalStateException("command '" + command + "' on ssh port " + port + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        client.stop();
    }

    private static SshClient newClient() {
        SshClient c = SshClient.setUpDefaultClient();
        // Loopback only, and the nodes generate their host keys on first boot. Not AcceptAllServerKeyVerifier:
        // it logs a WARN from the client's I/O thread at the end of every key exchange, which ties every
        // SSH session of this JVM to its stderr (a pipe to Maven) and the logger's lock; a blocked write there
        // would stall every session between key exchange and authentication, of every client alike.
        c.setServerKeyVerifier((session, address, key) -> true);
        c.start();
        return c;
    }
}
