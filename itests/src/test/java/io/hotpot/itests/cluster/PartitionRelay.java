package io.hotpot.itests.cluster;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay on loopback that a test can cut, as a network partition cuts a link: while cut, not
 * one byte passes in either direction, on the connections open at the cut and on new ones, and
 * nothing is refused or reset either; a partition drops packets, so the peers learn of it only from
 * their own timeouts. {@link #heal} lets the bytes through again, the held ones first, and a side
 * that gave up meanwhile has its close passed on then, as its FIN would arrive after a heal.
 *
 * <p>Used where network namespaces cannot be made (they need root, and the suite runs as any
 * user): every path to and from the node under test goes through one of these.
 * Thread-safe.
 */
final class PartitionRelay implements Closeable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Object lock = new Object();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean cut;

    /**
     * Listens on {@code listen} (port 0: a free one) and relays every connection to {@code target}.
     *
     * @throws IOException if the address cannot be bound
     */
    PartitionRelay(InetSocketAddress listen, InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 50);
        Thread acceptor = new Thread(this::accept, "partition-relay-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay on 127.0.0.1 and a free port to {@code 127.0.0.1:targetPort}. */
    static PartitionRelay toLoopbackPort(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new PartitionRelay(new InetSocketAddress(loopback, 0), new InetSocketAddress(loopback, targetPort));
    }

    /** @return the port it listens on */
    int port() {
        return server.getLocalPort();
    }

    /** From now on no byte passes, in either direction. Returns at once. */
    void cut() {
        synchronized (lock) {
            cut = true;
        }
    }

    /** Bytes pass again, the held ones first. Returns at once. */
    void heal() {
        synchronized (lock) {
            cut = false;
            lock.notifyAll();
        }
    }

    private void awaitLink() throws InterruptedException {
        synchronized (lock) {
            while (cut && !closed.get()) {
                lock.wait();
            }
        }
    }

    private void accept() {
        while (!closed.get()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                sockets.add(client);
                sockets.add(upstream);
                Thread connect = new Thread(() -> {
                    try {
                        // A connection made during a cut reaches nothing until the heal, like a lost SYN's retries.
                        awaitLink();
                        upstream.connect(target, 5_000);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException | InterruptedException e) {
                        closeQuietly(client);
                        closeQuietly(upstream);
                    }
                }, "partition-relay-connect-" + port());
                connect.setDaemon(true);
                connect.start();
            } catch (IOException e) {
                if (!closed.get()) {
                    System.err.println("partition relay " + port() + ": accept failed: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitLink();
                    out.write(buffer, 0, n);
                    out.flush();
                }
                awaitLink();
            } catch (IOException | InterruptedException e) {
                // One side is gone: so is the connection, once the link lets that be known.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "partition-relay-pump-" + port());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(server);
        sockets.forEach(PartitionRelay::closeQuietly);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do with it.
        }
    }
}
