package io.hotpot.itests.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * The server side of {@link FastbinClient}'s wire format: a fake {@code FollowerService} endpoint in
 * the test JVM, as an attacker would run one and publish under ZooKeeper's {@code /osgi}. It answers
 * every call with what {@code answers} returns for the method name and arguments, and records each
 * call, so that a test can assert what a node sent it (a ticket, say). Read from fastbin 1.16.1's
 * {@code ServerInvokerImpl} and {@code BlockingInvocationStrategy}: a request frame as
 * {@link FastbinClient} documents it; the answer is the frame length, the request's correlation, and
 * one Java serialization stream holding the error (or null) and the value.
 *
 * <p>Bound to 127.0.0.1 on a free port. Thread-safe; {@link #close()} stops it.
 */
final class FakeFollower implements AutoCloseable {

    /** One call the fake received: the fastbin service id, the method's name and its arguments. */
    record Call(String service, String method, List<Object> args) {
    }

    /** What to answer: a value, or a Throwable to throw. */
    private final BiFunction<String, Object[], Object> answers;
    private final ServerSocket server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeFollower(BiFunction<String, Object[], Object> answers) throws IOException {
        this.answers = answers;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fake-follower-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the address fastbin's client connects to, as {@code aries.fastbin.address} gives it */
    String address() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** @return every call received so far */
    List<Call> calls() {
        return List.copyOf(calls);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                Thread t = new Thread(() -> serve(socket), "fake-follower-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                int size = in.readInt();
                byte[] frame = new byte[size - 4];
                in.readFully(frame);
                DataInputStream body = new DataInputStream(new ByteArrayInputStream(frame));
                long correlation = FastbinClient.readVarLong(body);
                String service = text(body);
                String method = text(body);
                Object[] args;
                try (ObjectInputStream objects = new ObjectInputStream(body)) {
                    args = (Object[]) objects.readObject();
                }
                String name = method.substring(0, method.indexOf(','));
                calls.add(new Call(service, name, args == null ? List.of() : java.util.Arrays.asList(args)));
                Object answer;
                try {
                    answer = answers.apply(name, args);
                } catch (RuntimeException e) {
                    answer = e;
                }
                ByteArrayOutputStream reply = new ByteArrayOutputStream();
                FastbinClient.writeVarLong(reply, correlation);
                try (ObjectOutputStream objects = new ObjectOutputStream(reply)) {
                    objects.writeObject(answer instanceof Throwable t ? t : null);
                    objects.writeObject(answer instanceof Throwable ? null : answer);
                }
                synchronized (out) {
                    out.writeInt(4 + reply.size());
                    reply.writeTo(out);
                    out.flush();
                }
            }
        } catch (EOFException | java.net.SocketException closed) {
            // The caller went away.
        } catch (IOException | ClassNotFoundException e) {
            calls.add(new Call("?", "undecodable: " + e, List.of()));
        }
    }

    private static String text(DataInputStream in) throws IOException {
        byte[] bytes = new byte[(int) FastbinClient.readVarLong(in)];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
