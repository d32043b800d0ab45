package io.hotpot.runtime.security.member;

import io.hotpot.api.MembershipProof;
import io.hotpot.runtime.security.Tickets;
import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.member.MemberVerifier.Claim;
import io.hotpot.runtime.security.ticket.CanonicalTicket;
import org.junit.Test;

import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class MemberVerifierTest {

    private static final String ENDPOINT = "5b0d3a9e-2f7e-4b31-9c55-1c3b7d6e2a10";
    private static final String ADDRESS = "tcp://127.0.0.1:40123";

    private final ClusterKeys cluster = Tickets.newKeys();
    private final MemberVerifier verifier = new MemberVerifier(cluster.trustedKeys());
    private final Claim node2 = new Claim("node2", ENDPOINT, ADDRESS);

    private static byte[] challenge(int seed) {
        byte[] c = new byte[MembershipProof.CHALLENGE_BYTES];
        c[0] = (byte) seed;
        return c;
    }

    @Test
    public void aProofByAClusterNodeOfItsOwnEndpointHolds() {
        MembershipProof proof = new MemberSigner("node2", cluster.signingKey()).prove(ENDPOINT, ADDRESS, challenge(1));
        assertEquals(Optional.empty(), verifier.refusal(node2, challenge(1), proof));
    }

    @Test
    public void aRelayGetsAProofForTheRealNodesAddressNotItsOwn() {
        // The fake at :40999 passes the challenge to node2, which proves its own endpoint.
        MembershipProof relayed = new MemberSigner("node2", cluster.signingKey()).prove(ENDPOINT, ADDRESS, challenge(2));
        Optional<String> why = verifier.refusal(new Claim("node2", ENDPOINT, "tcp://127.0.0.1:40999"), challenge(2), relayed);
        assertTrue(why.toString(), why.orElseThrow().contains("is for endpoint " + ENDPOINT + " at " + ADDRESS));
    }

    @Test
    public void aForeignKeyAnOldChallengeOrAnotherNodeIsRefused() {
        ClusterKeys foreign = Tickets.newKeys();
        MembershipProof forged = new MemberSigner("node2", foreign.signingKey()).prove(ENDPOINT, ADDRESS, challenge(3));
        assertTrue(verifier.refusal(node2, challenge(3), forged).orElseThrow().contains("does not verify"));

        MembershipProof old = new MemberSigner("node2", cluster.signingKey()).prove(ENDPOINT, ADDRESS, challenge(4));
        assertTrue(verifier.refusal(node2, challenge(5), old).orElseThrow().contains("another challenge"));

        MembershipProof node3 = new MemberSigner("node3", cluster.signingKey()).prove(ENDPOINT, ADDRESS, challenge(6));
        assertTrue(verifier.refusal(node2, challenge(6), node3).orElseThrow().contains("by node node3"));
    }

    @Test
    public void aProofWithFieldsChangedAfterSigningIsRefused() {
        MembershipProof real = new MemberSigner("node2", cluster.signingKey()).prove(ENDPOINT, ADDRESS, challenge(7));
        MembershipProof moved = new MembershipProof("node2", ENDPOINT, "tcp://127.0.0.1:40999", real.challenge(), real.signature());
        Optional<String> why = verifier.refusal(new Claim("node2", ENDPOINT, "tcp://127.0.0.1:40999"), challenge(7), moved);
        assertTrue(why.toString(), why.orElseThrow().contains("does not verify"));
    }

    @Test
    public void aProofNeverHasATicketsBytes() {
        byte[] proof = CanonicalProof.bytes("node2", ENDPOINT, ADDRESS, challenge(8));
        byte[] ticket = CanonicalTicket.bytes(Tickets.ticket(1, "1.0.0", false));
        assertTrue(!new String(proof, java.nio.charset.StandardCharsets.ISO_8859_1).contains(CanonicalTicket.DOMAIN));
        assertTrue(!new String(ticket, java.nio.charset.StandardCharsets.ISO_8859_1).contains(CanonicalProof.DOMAIN));
    }

    private static io.hotpot.api.ApplyReport updated(String node, io.hotpot.api.RolloutTicket t) {
        return new io.hotpot.api.ApplyReport(node, t.artifact(), io.hotpot.api.ApplyOutcome.UPDATED, "1.0.0",
                t.artifact().version(), "ACTIVE", null, node + " runs " + t.artifact().coordinates(), 120, 850, 3, 42);
    }

    @Test
    public void aNodesReportOfTheTicketItWasSentHolds() {
        io.hotpot.api.RolloutTicket t = Tickets.ticket(7, "1.1.0", false);
        io.hotpot.api.SignedApplyReport signed = new MemberSigner("node2", cluster.signingKey()).sign(t, updated("node2", t));
        assertEquals(Optional.empty(), verifier.reportRefusal("node2", t, signed));
    }

    @Test
    public void aReportForAnotherTicketByAnotherNodeOrForgedIsRefused() {
        io.hotpot.api.RolloutTicket t = Tickets.ticket(7, "1.1.0", false);
        MemberSigner node2 = new MemberSigner("node2", cluster.signingKey());
        // The same artifact, another rollout: an old answer of node2's does not count for this one.
        io.hotpot.api.RolloutTicket older = Tickets.ticket(6, "1.1.0", false);
        assertTrue(verifier.reportRefusal("node2", t, node2.sign(older, updated("node2", older))).orElseThrow()
                .contains("does not verify"));
        io.hotpot.api.SignedApplyReport byNode3 = new MemberSigner("node3", cluster.signingKey()).sign(t, updated("node3", t));
        assertTrue(verifier.reportRefusal("node2", t, byNode3).orElseThrow().contains("by node node3"));
        io.hotpot.api.SignedApplyReport forged = new MemberSigner("node2", Tickets.newKeys().signingKey()).sign(t, updated("node2", t));
        assertTrue(verifier.reportRefusal("node2", t, forged).orElseThrow().contains("does not verify"));
    }

    @Test
    public void aReportChangedAfterSigningIsRefused() {
        io.hotpot.api.RolloutTicket t = Tickets.ticket(7, "1.1.0", false);
        io.hotpot.api.ApplyReport failed = new io.hotpot.api.ApplyReport("node2", t.artifact(), io.hotpot.api.ApplyOutcome.FAILED,
                "1.0.0", "1.0.0", "ACTIVE", io.hotpot.api.ApplyPhase.HEALTH, "node2: health check failed", 120, 850, 3, 42);
        io.hotpot.api.SignedApplyReport signed = new MemberSigner("node2", cluster.signingKey()).sign(t, failed);
        io.hotpot.api.SignedApplyReport turned = new io.hotpot.api.SignedApplyReport(updated("node2", t), signed.signature());
        assertTrue(verifier.reportRefusal("node2", t, turned).orElseThrow().contains("does not verify"));
    }
}
