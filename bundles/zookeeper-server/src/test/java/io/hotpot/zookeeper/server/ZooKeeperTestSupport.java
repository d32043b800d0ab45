package io.hotpot.zookeeper.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** Shared helpers: a free loopback port, and a client round trip against a running server. */
final class ZooKeeperTestSupport {

    private ZooKeeperTestSupport() {
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Connects, writes a znode, reads it back, and returns what was read. */
    static String roundTrip(String connectString, String path, String value)
            throws IOException, InterruptedException, KeeperException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper(connectString, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(15, TimeUnit.SECONDS)) {
                throw new IOException("No ZooKeeper session with " + connectString + " within 15 s");
            }
            client.create(path, value.getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            return new String(client.getData(path, false, null));
        } finally {
            client.close();
        }
    }
}
