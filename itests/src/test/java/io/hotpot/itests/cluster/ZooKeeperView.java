package io.hotpot.itests.cluster;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The test's own plain ZooKeeper client, to read what the cluster recorded (desired state, each
 * node's actual state, rollouts) independently of any node's console. It logs in with the
 * cluster's ZooKeeper credentials ({@code zookeeper.auth} in the cluster's security file): every
 * Hotpot znode is readable by that identity only.
 */
final class ZooKeeperView implements AutoCloseable {

    private final ZooKeeper zk;

    ZooKeeperView(String connect, Path securityFile) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no ZooKeeper session with " + connect + " within 30 s");
        }
        Properties security = new Properties();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(securityFile)) {
            security.load(in);
        }
        zk.addAuthInfo("digest", security.getProperty("zookeeper.auth").getBytes(StandardCharsets.UTF_8));
    }

    /** @return the znode's Properties text, or empty if there is no such znode */
    Optional<Properties> read(String path) throws Exception {
        try {
            Properties p = new Properties();
            p.load(new StringReader(new String(zk.getData(path, false, null), StandardCharsets.UTF_8)));
            return Optional.of(p);
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException(path + " is not Properties text", e);
        }
    }

    /** @return the znode's data as UTF-8 text, or empty if there is no such znode */
    Optional<String> text(String path) throws Exception {
        try {
            return Optional.of(new String(zk.getData(path, false, null), StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** @return the children of a znode, empty if it does not exist */
    java.util.List<String> children(String path) throws Exception {
        try {
            return zk.getChildren(path, false);
        } catch (KeeperException.NoNodeException e) {
            return java.util.List.of();
        }
    }

    /**
     * The view's one write, for a fault: takes away (or gives back) every permission but READ and ADMIN on one
     * znode, for every identity of its ACL, so that a node's writes there are refused with NoAuth.
     */
    void writable(String path, boolean writable) throws Exception {
        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
        java.util.List<org.apache.zookeeper.data.ACL> acl = new java.util.ArrayList<>();
        for (org.apache.zookeeper.data.ACL a : zk.getACL(path, stat)) {
            // ADMIN stays, or the ACL could not be given back.
            acl.add(new org.apache.zookeeper.data.ACL(writable ? org.apache.zookeeper.ZooDefs.Perms.ALL
                    : org.apache.zookeeper.ZooDefs.Perms.READ | org.apache.zookeeper.ZooDefs.Perms.ADMIN, a.getId()));
        }
        zk.setACL(path, acl, stat.getAversion());
    }

    @Override
    public void close() throws InterruptedException {
        zk.close();
    }
}
