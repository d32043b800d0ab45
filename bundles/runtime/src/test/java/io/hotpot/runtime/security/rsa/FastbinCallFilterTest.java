package io.hotpot.runtime.security.rsa;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.BundleStatus;
import io.hotpot.api.NodeStatus;
import io.hotpot.api.TransferException;
import org.apache.aries.rsa.provider.fastbin.api.ObjectSerializationStrategy;
import org.fusesource.hawtbuf.DataByteArrayInputStream;
import org.fusesource.hawtbuf.DataByteArrayOutputStream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The filter on fastbin's own decoding path ({@link ObjectSerializationStrategy}, as the fastbin
 * server runs it), and only there. The JVM-wide filter stays installed in this test JVM, as it
 * does in Karaf.
 */
public class FastbinCallFilterTest {

    /** Not on the allow-list: stands for any gadget class a deserialization attack would use. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile int instances;

        private void readObject(ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            instances++;
        }
    }

    private static final List<String> rejected = Collections.synchronizedList(new ArrayList<>());
    private static FastbinCallFilter filter;

    @BeforeClass
    public static void install() {
        filter = FastbinCallFilter.install(new RemoteCallPolicy(List.of(), 2 * 1024 * 1024, 32, 100_000,
                (what, why) -> rejected.add(what + ": " + why)));
    }

    @AfterClass
    public static void close() {
        filter.close();
    }

    private static Object[] decode(Object... args) throws Exception {
        DataByteArrayOutputStream out = new DataByteArrayOutputStream();
        ObjectSerializationStrategy.INSTANCE.encodeRequest(null, null, args, out);
        Object[] target = new Object[args.length];
        ObjectSerializationStrategy.INSTANCE.decodeRequest(FastbinCallFilterTest.class.getClassLoader(), null,
                new DataByteArrayInputStream(out.toBuffer()), target);
        return target;
    }

    @Test
    public void hotpotsCallsPass() throws Exception {
        rejected.clear();
        try {
            hotpotValues();
        } catch (InvalidClassException e) {
            throw new AssertionError("rejected: " + rejected, e);
        }
    }

    private void hotpotValues() throws Exception {
        ArtifactDescriptor d = new ArtifactDescriptor("org.example", "1.0.0", "ab".repeat(32), 10);
        byte[] chunk = new byte[256 * 1024];
        chunk[7] = 7;
        Object[] args = decode("r-20261121-142430-57ee", d, 42L, chunk, 3, true);
        assertEquals(d, args[1]);
        assertArrayEquals(chunk, (byte[]) args[3]);
        NodeStatus status = new NodeStatus("node1", true,
                List.of(new BundleStatus(5, "org.example", "1.0.0", "ACTIVE", "ab".repeat(32), "hotpot:org.example")), 1L);
        assertEquals(status, decode(status)[0]);
        TransferException failure = (TransferException) decode(new TransferException("node2: refused"))[0];
        assertEquals("node2: refused", failure.getMessage());
        assertEquals(new java.util.HashMap<>(java.util.Map.of("a", 1L)), decode(new java.util.HashMap<>(java.util.Map.of("a", 1L)))[0]);
    }

    @Test
    public void aClassNotOnTheListIsRejectedBeforeItIsCreated() {
        int before = Gadget.instances;
        InvalidClassException e = assertThrows(InvalidClassException.class, () -> decode("x", new Gadget()));
        assertTrue(e.getMessage(), e.getMessage().contains("REJECTED"));
        assertEquals("no instance was read", before, Gadget.instances);
        assertTrue(rejected.toString(), rejected.stream().anyMatch(r -> r.contains(Gadget.class.getName())));
    }

    @Test
    public void jdkGadgetTriggersAreRejected() {
        PriorityQueue<Object> queue = new PriorityQueue<>();
        queue.add("a");
        assertThrows(InvalidClassException.class, () -> decode(queue));
        assertThrows(InvalidClassException.class, () -> decode(new javax.management.BadAttributeValueExpException("x")));
        assertTrue(rejected.toString(), rejected.stream().anyMatch(r -> r.contains("java.util.PriorityQueue")));
    }

    @Test
    public void oversizedAndDeepStreamsAreRejected() {
        assertThrows(InvalidClassException.class, () -> decode((Object) new byte[3 * 1024 * 1024]));
        Object[] deep = new Object[1];
        Object[] cursor = deep;
        for (int i = 0; i < 100; i++) {
            Object[] next = new Object[1];
            cursor[0] = next;
            cursor = next;
        }
        assertThrows(InvalidClassException.class, () -> decode(deep));
    }

    @Test
    public void otherStreamsOfTheJvmAreNotFiltered() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new Gadget());
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(Gadget.class, in.readObject().getClass());
        }
    }

    @Test
    public void aSecondInstallReplacesThePolicyAndCloseRejectsEverything() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        FastbinCallFilter second = FastbinCallFilter.install(new RemoteCallPolicy(
                List.of(Gadget.class.getName()), 2 * 1024 * 1024, 32, 100_000, (what, why) -> seen.set(what)));
        try {
            assertEquals(Gadget.class, decode(new Gadget())[0].getClass());
            second.close();
            assertThrows(InvalidClassException.class, () -> decode("plain string"));
        } finally {
            filter = FastbinCallFilter.install(new RemoteCallPolicy(List.of(), 2 * 1024 * 1024, 32, 100_000,
                    (what, why) -> rejected.add(what + ": " + why)));
        }
    }

    @Test
    public void malformedPatternsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RemoteCallPolicy(List.of("com.acme.*.Foo"), 1, 1, 1, (a, b) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new RemoteCallPolicy(List.of(), 0, 1, 1, (a, b) -> { }));
    }
}
