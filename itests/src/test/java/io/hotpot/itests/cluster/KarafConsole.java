package io.hotpot.itests.cluster;

import org.apache.sshd.client.SshClient;
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
 */
public final class KarafConsole implements Closeable {

    private final SshClient client;
    private final int port;

    public KarafConsole(int port) {
        this.port = port;
        this.client = SshClient.setUpDefaultClient();
        // Loopback only, and the nodes generate their host keys on first boot.
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
    }

    /**
     * @return what the command printed on stdout and stderr
     * @throws IllegalStateException if the session cannot be opened or the command does not end in time
     */
    public String run(String command) {
        try (ClientSession session = client.connect("karaf", "127.0.0.1", port).verify(Duration.ofSeconds(20)).getSession()) {
            session.addPasswordIdentity("karaf");
            session.auth().verify(Duration.ofSeconds(20));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (var channel = session.createExecChannel(command)) {
                channel.setOut(out);
                channel.setErr(out);
                channel.open().verify(Duration.ofSeconds(20));
                channel.waitFor(EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED),
                        Duration.ofMinutes(5));
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("command '" + command + "' on ssh port " + port + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        client.stop();
    }
}
