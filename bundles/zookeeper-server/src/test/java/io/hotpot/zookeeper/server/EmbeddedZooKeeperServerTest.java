package io.hotpot.zookeeper.server;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EmbeddedZooKeeperServerTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void servesClientsOnLoopbackAndReleasesThePortOnClose() throws Exception {
        int port = ZooKeeperTestSupport.freeLoopbackPort();
        ZooKeeperServerSettings settings =
                new ZooKeeperServerSettings("127.0.0.1", port, folder.newFolder("zk").toPath(), 500);

        try (EmbeddedZooKeeperServer server = new EmbeddedZooKeeperServer(settings)) {
            server.start();
            assertEquals(EmbeddedZooKeeperServer.State.STARTED, server.state());
            assertEquals("hello", ZooKeeperTestSupport.roundTrip("127.0.0.1:" + port, "/probe", "hello"));
            assertThrows(IllegalStateException.class, server::start);
        }

        // The port is free again right after close(), so a restarted node can take it.
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    public void takenPortFailsFastAndClosesTheInstance() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EmbeddedZooKeeperServer server = new EmbeddedZooKeeperServer(new ZooKeeperServerSettings(
                    "127.0.0.1", taken.getLocalPort(), folder.newFolder("zk").toPath(), 500));
            long started = System.nanoTime();
            IOException error = assertThrows(IOException.class, server::start);
            assertTrue(error.getMessage(), error.getMessage().contains("127.0.0.1:" + taken.getLocalPort()));
            assertTrue("should not wait for the startup timeout", System.nanoTime() - started < 5_000_000_000L);
            assertEquals(EmbeddedZooKeeperServer.State.CLOSED, server.state());
        }
    }

    @Test
    public void rejectsOutOfRangeSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> new ZooKeeperServerSettings("127.0.0.1", 0, folder.getRoot().toPath(), 2000));
        assertThrows(IllegalArgumentException.class,
                () -> new ZooKeeperServerSettings("127.0.0.1", 2181, folder.getRoot().toPath(), 0));
    }
}
