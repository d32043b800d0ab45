package io.hotpot.itests.cluster;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
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
 * <p>A session that cannot be opened or authenticated is tried again, up to three times, with a
 * new SSH client: once (in about fifty runs) a client's sessions to one node all stalled between
 * key exchange and authentication while the node itself served every other client.
 */
public final class KarafConsole implements Closeable {

    private static final int ATTEMPTS = 3;

    private final int port;
    private final String user;
    private final String password;
    private volatile SshClient client;

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
     * @return what the command printed on stdout and stderr
     * @throws IllegalStateException if no session could be opened, or the command did not end in time
     */
    public String run(String command) {
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            SshClient used = client;
            ClientSession session;
            try {
                session = used.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(20)).getSession();
                session.addPasswordIdentity(password);
                session.auth().verify(Duration.ofSeconds(20));
            } catch (Exception e) {
                last = new IllegalStateException("command '" + command + "' on ssh port " + port
                        + ": no session (attempt " + attempt + "): " + e, e);
                System.err.println(last.getMessage() + "; retrying with a new SSH client");
                replace(used);
                continue;
            }
            try (session) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (var channel = session.createExecChannel(command)) {
                    channel.setOut(out);
                    channel.setErr(out);
                    channel.open().verify(Duration.ofSeconds(20));
                    channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(5));
                }
                return out.toString(StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException("command '" + command + "' on ssh port " + port + " failed: " + e, e);
            }
        }
        throw last;
    }

    /** Replaces the client, unless a concurrent command replaced it already. */
    private synchronized void replace(SshClient broken) {
        if (client == broken) {
            client = newClient();
            broken.stop();
        }
    }

    @Override
    public synchronized void close() {
        client.stop();
    }

    private static SshClient newClient() {
        SshClient c = SshClient.setUpDefaultClient();
        // Loopback only, and the nodes generate their host keys on first boot.
        c.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        c.start();
        return c;
    }
}
