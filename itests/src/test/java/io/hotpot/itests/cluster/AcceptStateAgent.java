package io.hotpot.itests.cluster;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A Java agent that {@link NodeDiagnostics} loads into a node whose SSH listener has connections
 * waiting that it does not accept. It writes what the JDK and Apache SSHD hold about each
 * asynchronous channel of every NIO.2 poller thread: the channel's descriptor, whether an accept is
 * pending, the handler it would call. With the kernel's view ({@code fdinfo} of the epoll
 * instance), this tells an accept that Java never asked for again from a wakeup the kernel never
 * gave.
 *
 * <p>Read-only: it reads fields and prints; it changes nothing in the node.
 */
public final class AcceptStateAgent {

    private AcceptStateAgent() {
    }

    /** @param args the file to write */
    public static void agentmain(String args, Instrumentation inst) throws IOException {
        StringBuilder out = new StringBuilder();
        try {
            Module me = AcceptStateAgent.class.getModule();
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("sun.nio.ch", Set.of(me), "java.lang", Set.of(me), "java.util.concurrent", Set.of(me)),
                    Set.of(), Map.of());
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                Object task = field(t, "target");
                if (task == null || !task.getClass().getName().startsWith("sun.nio.ch.EPollPort$EventHandlerTask")) {
                    continue;
                }
                Object port = field(task, "this$0");
                out.append("poller ").append(t.getName()).append(" (").append(t.getState()).append(") port ")
                        .append(port.getClass().getName()).append(" epfd ").append(field(port, "epfd"))
                        .append(" queue ").append(field(port, "queue")).append('\n');
                // A copy under the port's own lock: its pollers and channels change the map meanwhile.
                java.util.concurrent.locks.Lock lock =
                        ((java.util.concurrent.locks.ReadWriteLock) field(port, "fdToChannelLock")).readLock();
                Map<?, ?> channels;
                lock.lock();
                try {
                    channels = new java.util.HashMap<>((Map<?, ?>) field(port, "fdToChannel"));
                } finally {
                    lock.unlock();
                }
                for (Map.Entry<?, ?> e : channels.entrySet()) {
                    Object ch = e.getValue();
                    out.append("  fd ").append(e.getKey()).append(": ").append(ch.getClass().getSimpleName());
                    if (ch.getClass().getName().endsWith("UnixAsynchronousServerSocketChannelImpl")) {
                        out.append(" open=").append(((java.nio.channels.Channel) ch).isOpen())
                                .append(" local=").append(field(ch, "localAddress"))
                                .append(" acceptPending=").append(field(ch, "acceptPending"))
                                .append(" accepting=").append(field(ch, "accepting"))
                                .append(" acceptHandler=").append(describe(field(ch, "acceptHandler")));
                    } else {
                        out.append(" open=").append(((java.nio.channels.Channel) ch).isOpen())
                                .append(" readPending=").append(field(ch, "readPending"))
                                .append(" writePending=").append(field(ch, "writePending"));
                    }
                    out.append('\n');
                }
            }
        } catch (Throwable e) {
            out.append("agent failed: ").append(e).append('\n');
        }
        Files.writeString(Path.of(args), out.toString(), StandardCharsets.UTF_8);
    }

    private static String describe(Object handler) {
        if (handler == null) {
            return "null";
        }
        String s = handler.getClass().getName();
        try {
            Object acceptor = field(handler, "this$0");
            s += " of " + acceptor + " channels=" + field(acceptor, "channels");
        } catch (ReflectiveOperationException | RuntimeException e) {
            s += " (" + e + ")";
        }
        return s;
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(o.getClass().getName() + "." + name);
    }

    /** Writes this class as an agent jar (Agent-Class, Can-Redefine-Classes) and returns its path. */
    static Path jar() throws IOException {
        Path jar = Files.createTempFile("hotpot-accept-agent", ".jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Agent-Class", AcceptStateAgent.class.getName());
        String entry = AcceptStateAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
             var in = AcceptStateAgent.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }
}
