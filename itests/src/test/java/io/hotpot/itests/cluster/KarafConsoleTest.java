package io.hotpot.itests.cluster;

import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.junit.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

import static org.junit.Assert.assertTrue;

/**
 * Issue 9 item 1, the harness side: the test JVM's SSH sessions must not depend on its stderr.
 * Surefire carries a forked test JVM's stderr to Maven; when that write blocks, a client whose I/O
 * thread logs (AcceptAllServerKeyVerifier warns at the end of every key exchange) stalls every
 * session between key exchange and authentication, with a new client as with the old one, while
 * the node and any other client (OpenSSH) are fine: what the stall looked like.
 */
public class KarafConsoleTest {

    @Test
    public void aSessionOpensWhileTheTestJvmsStderrIsBlocked() throws Exception {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider());
        server.setPasswordAuthenticator((user, password, session) -> "karaf".equals(password));
        server.setCommandFactory((channel, command) -> new org.apache.sshd.server.command.Command() {
            private org.apache.sshd.server.ExitCallback exit;
            private OutputStream out;

            @Override public void setInputStream(java.io.InputStream in) { }
            @Override public void setOutputStream(OutputStream o) { out = o; }
            @Override public void setErrorStream(OutputStream err) { }
            @Override public void setExitCallback(org.apache.sshd.server.ExitCallback callback) { exit = callback; }
            @Override public void start(org.apache.sshd.server.channel.ChannelSession c, org.apache.sshd.server.Environment env)
                    throws java.io.IOException {
                out.write(("ran " + command).getBytes());
                out.flush();
                exit.onExit(0);
            }
            @Override public void destroy(org.apache.sshd.server.channel.ChannelSession c) { }
        });
        server.start();
        PrintStream stderr = System.err;
        CountDownLatch release = new CountDownLatch(1);
        try (KarafConsole console = new KarafConsole(server.getPort())) {
            // A stderr whose writes block, as a full pipe does.
            System.setErr(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, true));
            String out = console.run("hot:nodes");
            assertTrue(out, out.contains("ran hot:nodes"));
        } finally {
            release.countDown();
            System.setErr(stderr);
            server.stop(true);
        }
    }
}
