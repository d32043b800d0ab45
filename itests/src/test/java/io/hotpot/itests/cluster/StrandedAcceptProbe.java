package io.hotpot.itests.cluster;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a JVM of its own by {@link StrandedAcceptTest}: an NIO.2 server set up as Apache SSHD's
 * Nio2ServiceFactory sets up Karaf's SSH console (a group over a thread pool that is not a
 * ThreadPoolExecutor, so the JDK polls epoll with its internal threads only, one by default), and
 * clients that do what the tests' console client does: connect, get an answer, close, connect again
 * at once, while the server closes its side from another thread, as Karaf does after each command.
 *
 * <p>JDK 17's {@code EPollPort.EventHandlerTask.poll()} queues all but the last event of an
 * {@code epoll_wait} for other handler threads and handles the last itself; when the last belongs
 * to a channel closed meanwhile, it waits in {@code epoll_wait} again instead, and with one internal
 * thread nobody takes the queued events: an accept event stranded there leaves the listener
 * (EPOLLONESHOT, fired) unarmed for good. Exit 0: every connection was answered for the given
 * seconds; exit 1: one was not answered within 5 s (the stall), with the count so far.
 *
 * <p>Arguments: seconds, client threads. Listens on 127.0.0.1 and a free port only.
 */
public final class StrandedAcceptProbe {

    private StrandedAcceptProbe() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        int clients = Integer.parseInt(args[1]);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        ExecutorService closers = Executors.newFixedThreadPool(2);
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withThreadPool(new Delegating(workers));
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group)
                .bind(new InetSocketAddress("127.0.0.1", 0), 50);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel socket, Void unused) {
                server.accept(null, this);
                ByteBuffer in = ByteBuffer.allocate(16);
                socket.read(in, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void unused2) {
                        socket.write(ByteBuffer.wrap(new byte[]{42}), null, new CompletionHandler<Integer, Void>() {
                            @Override
                            public void completed(Integer written, Void unused3) {
                                // A read stays pending (the peer's FIN is an event), and the close comes from
                                // another thread, as Karaf's command thread closes the SSH session.
                                socket.read(ByteBuffer.allocate(16), null, new CompletionHandler<Integer, Void>() {
                                    @Override public void completed(Integer r, Void v) { close(socket); }
                                    @Override public void failed(Throwable e, Void v) { close(socket); }
                                });
                                closers.execute(() -> close(socket));
                            }

                            @Override
                            public void failed(Throwable e, Void unused3) {
                                close(socket);
                            }
                        });
                    }

                    @Override
                    public void failed(Throwable e, Void unused2) {
                        close(socket);
                    }
                });
            }

            @Override
            public void failed(Throwable e, Void unused) {
                if (server.isOpen()) {
                    server.accept(null, this);
                }
            }
        });

        AtomicLong answered = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] threads = new Thread[clients];
        java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < clients; i++) {
            threads[i] = new Thread(() -> {
                while (System.nanoTime() < end && !stalled.get()) {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        s.setSoTimeout(5000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        out.write(1);
                        out.flush();
                        if (in.read() != 42) {
                            continue;
                        }
                        answered.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        stalled.set(true);
                    } catch (Exception e) {
                        // a reset by the server's close: the next connection
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println((stalled.get() ? "STALLED" : "OK") + " after " + answered.get() + " answered connections"
                + " (sun.nio.ch.internalThreadPoolSize=" + System.getProperty("sun.nio.ch.internalThreadPoolSize", "default 1") + ")");
        System.exit(stalled.get() ? 1 : 0);
    }

    private static void close(AsynchronousSocketChannel socket) {
        try {
            socket.close();
        } catch (Exception ignored) {
            // closed by the other path
        }
    }

    /** An executor that is not a ThreadPoolExecutor, as SSHD's ThreadUtils.noClose wrapper. */
    private static final class Delegating extends AbstractExecutorService {
        private final ExecutorService delegate;

        Delegating(ExecutorService delegate) {
            this.delegate = delegate;
        }

        @Override public void execute(Runnable command) { delegate.execute(command); }
        @Override public void shutdown() { delegate.shutdown(); }
        @Override public List<Runnable> shutdownNow() { return delegate.shutdownNow(); }
        @Override public boolean isShutdown() { return delegate.isShutdown(); }
        @Override public boolean isTerminated() { return delegate.isTerminated(); }
        @Override public boolean awaitTermination(long t, TimeUnit u) throws InterruptedException {
            return delegate.awaitTermination(t, u);
        }
    }
}
