package io.hotpot.runtime.security.ticket;

import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.security.Tickets;
import io.hotpot.runtime.security.credentials.ClusterKeys;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.junit.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class TicketSignatureTest {

    private final ClusterKeys keys = Tickets.newKeys();
    private final TicketSigner signer = new TicketSigner(keys.signingKey());
    private final TicketVerifier verifier = new TicketVerifier(keys.trustedKeys());
    private final RolloutTicket ticket = Tickets.ticket(7, "1.2.0", false);

    @Test
    public void aTicketSignedByTheClusterVerifies() throws Exception {
        assertEquals(ticket, verifier.verify(signer.sign(ticket)));
    }

    @Test
    public void changingAnyFieldBreaksTheSignature() {
        byte[] signature = signer.sign(ticket).signature();
        ArtifactDescriptor a = ticket.artifact();
        List<UnaryOperator<RolloutTicket>> changes = List.of(
                t -> new RolloutTicket("r-20261121-142430-57ef", t.sequence(), a, t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence() + 1, a, t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), new ArtifactDescriptor("org.other", a.version(), a.sha256(), a.size()), t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), new ArtifactDescriptor(a.symbolicName(), "1.2.1", a.sha256(), a.size()), t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), new ArtifactDescriptor(a.symbolicName(), a.version(), "cd".repeat(32), a.size()), t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), new ArtifactDescriptor(a.symbolicName(), a.version(), a.sha256(), a.size() + 1), t.leaderId(), t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), a, "node2", t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), a, t.leaderId(), !t.rollback()),
                t -> new RolloutTicket(t.rolloutId(), t.sequence(), a, t.leaderId(), t.rollback(),
                        RolloutTicket.Action.REMOVE));
        for (UnaryOperator<RolloutTicket> change : changes) {
            RolloutTicket changed = change.apply(ticket);
            SecurityRefusal e = assertThrows(SecurityRefusal.class,
                    () -> verifier.verify(new SignedRolloutTicket(changed, signature)));
            assertEquals(changed.toString(), Reason.SIGNATURE, e.reason());
        }
    }

    @Test
    public void aFlippedSignatureBitOrAForeignKeyIsRefused() {
        byte[] signature = signer.sign(ticket).signature();
        for (int bit = 0; bit < signature.length * 8; bit += 7) {
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertEquals(Reason.SIGNATURE, assertThrows(SecurityRefusal.class,
                    () -> verifier.verify(new SignedRolloutTicket(ticket, flipped))).reason());
        }
        SignedRolloutTicket foreign = new TicketSigner(Tickets.newKeys().signingKey()).sign(ticket);
        SecurityRefusal e = assertThrows(SecurityRefusal.class, () -> verifier.verify(foreign));
        assertTrue(e.getMessage(), e.getMessage().contains("does not verify with any of the 1 trusted keys"));
    }

    @Test
    public void aSecondTrustedKeyAllowsRotation() throws Exception {
        ClusterKeys next = Tickets.newKeys();
        List<java.security.PublicKey> both = new ArrayList<>(keys.trustedKeys());
        both.addAll(next.trustedKeys());
        TicketVerifier rotating = new TicketVerifier(both);
        rotating.verify(signer.sign(ticket));
        rotating.verify(new TicketSigner(next.signingKey()).sign(ticket));
    }

    @Test
    public void malformedIdsAreRefusedBeforeTheSignature() {
        RolloutTicket traversal = new RolloutTicket("r-../../x", 1, ticket.artifact(), "node1", false);
        assertEquals(Reason.NAME, assertThrows(SecurityRefusal.class,
                () -> verifier.verify(signer.sign(traversal))).reason());
        RolloutTicket badLeader = new RolloutTicket(ticket.rolloutId(), 1, ticket.artifact(), "node/1", false);
        assertEquals(Reason.NAME, assertThrows(SecurityRefusal.class,
                () -> verifier.verify(signer.sign(badLeader))).reason());
    }

    @Test
    public void canonicalBytesAreUnambiguous() {
        ArtifactDescriptor a = ticket.artifact();
        byte[] x = CanonicalTicket.bytes(new RolloutTicket("r-ab", 1, a, "node1", false));
        byte[] y = CanonicalTicket.bytes(new RolloutTicket("r-a", 1, a, "bnode1", false));
        assertFalse(java.util.Arrays.equals(x, y));
        byte[] prefix = new byte[4 + CanonicalTicket.DOMAIN.length()];
        System.arraycopy(x, 0, prefix, 0, prefix.length);
        byte[] expected = new byte[prefix.length];
        expected[3] = (byte) CanonicalTicket.DOMAIN.length();
        System.arraycopy(CanonicalTicket.DOMAIN.getBytes(), 0, expected, 4, CanonicalTicket.DOMAIN.length());
        assertArrayEquals(expected, prefix);
    }

    /**
     * A removal ({@code hot:undeploy}) is signed over one more byte: tickets signed before removals
     * existed keep their bytes and signatures, and a node that reads a removal as a run (one that
     * does not know actions) computes the shorter bytes and refuses the signature.
     */
    @Test
    public void aRemovalIsSignedOverOneMoreByteAndNeverVerifiesAsARun() throws Exception {
        RolloutTicket removal = new RolloutTicket(ticket.rolloutId(), ticket.sequence(), ticket.artifact(),
                ticket.leaderId(), false, RolloutTicket.Action.REMOVE);
        byte[] run = CanonicalTicket.bytes(ticket);
        byte[] remove = CanonicalTicket.bytes(removal);
        assertEquals(run.length + 1, remove.length);
        assertArrayEquals(run, java.util.Arrays.copyOf(remove, run.length));
        SignedRolloutTicket signed = signer.sign(removal);
        assertEquals(removal, verifier.verify(signed));
        assertEquals(Reason.SIGNATURE, assertThrows(SecurityRefusal.class,
                () -> verifier.verify(new SignedRolloutTicket(ticket, signed.signature()))).reason());
    }

    @Test
    public void theSignedTicketKeepsItsSignatureToItself() {
        SignedRolloutTicket signed = signer.sign(ticket);
        signed.signature()[0] ^= 1;
        assertEquals(signed, new SignedRolloutTicket(ticket, signed.signature()));
        assertThrows(IllegalArgumentException.class, () -> new SignedRolloutTicket(ticket, new byte[63]));
    }
}
