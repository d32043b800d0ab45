package io.hotpot.runtime.security.verify;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.security.Tickets;
import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.ticket.TicketSigner;
import org.junit.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * Issue 11 item 7: a ticket whose fields break its records' rules still arrives, as a malformed
 * ticket, so that the node's own checks refuse it and log the refusal. The records' constructors
 * used to refuse it while the stream was read, where no Hotpot code could log anything.
 */
public class MalformedTicketTest {

    private final ClusterKeys keys = Tickets.newKeys();

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    /** Replaces the only occurrence of a same-length text, as an attacker's own encoder would write the field. */
    private static byte[] patch(byte[] data, String what, String with) {
        byte[] a = what.getBytes(StandardCharsets.UTF_8);
        byte[] b = with.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i <= data.length - a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (data[i + j] != a[j]) {
                    continue outer;
                }
            }
            byte[] patched = data.clone();
            System.arraycopy(b, 0, patched, i, b.length);
            return patched;
        }
        throw new AssertionError(what + " not in the stream");
    }

    @Test
    public void aWellFormedTicketCrossesTheWireUnchanged() throws Exception {
        SignedRolloutTicket signed = new TicketSigner(keys.signingKey()).sign(Tickets.ticket(3, "1.0.0", false));
        SignedRolloutTicket read = (SignedRolloutTicket) deserialize(serialize(signed));
        assertEquals(signed, read);
        assertFalse(read.malformed().isPresent());
        assertEquals(signed.ticket(), read.ticket());
    }

    @Test
    public void aRemovalCrossesTheWireAsARemovalAndAnUnknownActionArrivesMalformed() throws Exception {
        RolloutTicket run = Tickets.ticket(3, "1.0.0", false);
        RolloutTicket removal = new RolloutTicket(run.rolloutId(), run.sequence(), run.artifact(), run.leaderId(), false,
                RolloutTicket.Action.REMOVE);
        SignedRolloutTicket signed = new TicketSigner(keys.signingKey()).sign(removal);
        byte[] wire = serialize(signed);
        SignedRolloutTicket read = (SignedRolloutTicket) deserialize(wire);
        assertEquals(signed, read);
        assertTrue(read.ticket().removal());

        SignedRolloutTicket unknown = (SignedRolloutTicket) deserialize(patch(wire, "REMOVE", "DELETE"));
        assertTrue(unknown.malformed().orElseThrow(), unknown.malformed().orElseThrow().contains("DELETE"));
        assertThrows(IllegalArgumentException.class, unknown::ticket);
    }

    @Test
    public void aTraversalNameArrivesMalformedAndIsRefusedWithItsReason() throws Exception {
        RolloutTicket placeholder = new RolloutTicket("r-1", 3,
                new ArtifactDescriptor("zzzzzzzzzzz", "1.0.0", Tickets.SHA, 10), "node1", false);
        byte[] wire = patch(serialize(new TicketSigner(keys.signingKey()).sign(placeholder)), "zzzzzzzzzzz", "../../etc/x");

        SignedRolloutTicket read = (SignedRolloutTicket) deserialize(wire);
        assertTrue(read.malformed().orElseThrow(), read.malformed().orElseThrow()
                .contains("not an OSGi symbolic name: '../../etc/x'"));
        assertEquals("r-1", read.sentRolloutId());
        assertThrows(IllegalArgumentException.class, read::ticket);
    }

    @Test
    public void aSignatureOfTheWrongLengthArrivesMalformed() throws Exception {
        SignedRolloutTicket signed = new TicketSigner(keys.signingKey()).sign(Tickets.ticket(3, "1.0.0", false));
        // The signature array's length is a 4-byte field right before its bytes: 64 -> 63.
        byte[] wire = serialize(signed);
        byte[] sig = signed.signature();
        int at = indexOf(wire, sig);
        wire[at - 1] = 63;
        byte[] shorter = new byte[wire.length - 1];
        System.arraycopy(wire, 0, shorter, 0, at + 63);
        System.arraycopy(wire, at + 64, shorter, at + 63, wire.length - at - 64);
        SignedRolloutTicket read = (SignedRolloutTicket) deserialize(shorter);
        assertTrue(read.malformed().orElseThrow(), read.malformed().orElseThrow().contains("signature must be 64 bytes, got 63"));
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i <= data.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
