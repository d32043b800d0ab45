package io.hotpot.runtime.cluster;

import io.hotpot.api.FollowerService;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.TransferException;
import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.Tickets;
import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.member.MemberSigner;
import io.hotpot.runtime.security.member.MemberVerifier;
import io.hotpot.runtime.security.member.MemberVerifier.Claim;
import org.junit.After;
import org.junit.Test;

import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class EndpointProofsTest {

    private static final Claim NODE2 = new Claim("node2", "e-2", "tcp://127.0.0.1:40123");

    private final ClusterKeys cluster = Tickets.newKeys();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final EndpointProofs proofs = new EndpointProofs(new MemberVerifier(cluster.trustedKeys()),
            new SecurityLog("node1"), 500, clock::get);
    private final AtomicInteger asked = new AtomicInteger();
    private Function<io.hotpot.api.SignedRolloutTicket, io.hotpot.api.SignedApplyReport> report = t -> {
        throw new AssertionError("applyStored not expected");
    };

    @After
    public void close() {
        proofs.close();
    }

    /** A FollowerService whose only method that matters here is prove. */
    private FollowerService answering(Function<byte[], MembershipProof> prove) {
        return (FollowerService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{FollowerService.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("applyStored")) {
                        return report.apply((io.hotpot.api.SignedRolloutTicket) args[0]);
                    }
                    if (!method.getName().equals("prove")) {
                        throw new AssertionError("only prove may be called before the proof holds: " + method.getName());
                    }
                    asked.incrementAndGet();
                    return prove.apply((byte[]) args[0]);
                });
    }

    @Test
    public void aMemberIsAskedOnceAndThenKnown() {
        MemberSigner node2 = new MemberSigner("node2", cluster.signingKey());
        FollowerService service = answering(c -> node2.prove(NODE2.endpointId(), NODE2.address(), c));
        assertTrue(proofs.proven(7, NODE2, service));
        assertTrue(proofs.proven(7, NODE2, service));
        assertEquals(1, asked.get());
        // A new import of the same node (another service.id) is asked anew.
        assertTrue(proofs.proven(8, NODE2, service));
        assertEquals(2, asked.get());
    }

    @Test
    public void aFakeIsRefusedOnceAndNeverCalledAgain() {
        MemberSigner foreign = new MemberSigner("node2", Tickets.newKeys().signingKey());
        FollowerService fake = answering(c -> foreign.prove(NODE2.endpointId(), NODE2.address(), c));
        assertFalse(proofs.proven(9, NODE2, fake));
        clock.addAndGet(60_000);
        assertFalse(proofs.proven(9, NODE2, fake));
        assertEquals(1, asked.get());
    }

    @Test
    public void anImportWithoutItsAddressIsRefusedWithoutACall() {
        assertFalse(proofs.proven(10, new Claim("node2", "e-2", null), answering(c -> {
            throw new AssertionError("not asked");
        })));
        assertEquals(0, asked.get());
    }

    @Test
    public void anImportThatCannotAnswerIsAskedAgainAfterTheRetryDelay() {
        AtomicInteger calls = new AtomicInteger();
        MemberSigner node2 = new MemberSigner("node2", cluster.signingKey());
        FollowerService starting = answering(c -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException(new TransferException("node2: not exported (yet)"));
            }
            return node2.prove(NODE2.endpointId(), NODE2.address(), c);
        });
        assertFalse(proofs.proven(11, NODE2, starting));
        assertFalse("within the retry delay, not asked again", proofs.proven(11, NODE2, starting));
        assertEquals(1, asked.get());
        clock.addAndGet(EndpointProofs.RETRY_MS);
        assertTrue(proofs.proven(11, NODE2, starting));
        assertEquals(2, asked.get());
    }

    @Test(timeout = 10_000)
    public void anEndpointThatNeverAnswersCostsOneCallTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        FollowerService hung = answering(c -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        long start = System.nanoTime();
        assertFalse(proofs.proven(12, NODE2, hung));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue("waited " + ms + " ms", ms >= 450 && ms < 5_000);
        assertFalse(proofs.proven(12, NODE2, hung));
        assertEquals(1, asked.get());
    }

    @Test
    public void goneImportsAreForgotten() {
        MemberSigner node2 = new MemberSigner("node2", cluster.signingKey());
        FollowerService service = answering(c -> node2.prove(NODE2.endpointId(), NODE2.address(), c));
        assertTrue(proofs.proven(13, NODE2, service));
        proofs.retain(Set.of());
        assertTrue(proofs.proven(13, NODE2, service));
        assertEquals(2, asked.get());
    }

    @Test
    public void aProvenEndpointsReportCountsOnlyWhenTheNodeSignedItForThisTicket() throws Exception {
        io.hotpot.api.RolloutTicket t = Tickets.ticket(9, "1.1.0", false);
        io.hotpot.api.SignedRolloutTicket ticket = new io.hotpot.api.SignedRolloutTicket(t, new byte[64]);
        io.hotpot.api.ApplyReport updated = new io.hotpot.api.ApplyReport("node2", t.artifact(), io.hotpot.api.ApplyOutcome.UPDATED,
                "1.0.0", "1.1.0", "ACTIVE", null, "node2 runs it", -1, 500, 0, 30);
        FollowerDirectory.Endpoint endpoint = new FollowerDirectory.Endpoint("node2", "e-2", answering(c -> null), proofs);

        report = x -> new MemberSigner("node2", cluster.signingKey()).sign(x.ticket(), updated);
        assertEquals(updated, endpoint.applyStored(ticket));

        // The same UPDATED, signed by a key the cluster does not trust: the step fails, nothing is taken from it.
        report = x -> new MemberSigner("node2", Tickets.newKeys().signingKey()).sign(x.ticket(), updated);
        io.hotpot.api.ApplyReport refused = endpoint.applyStored(ticket);
        assertEquals(io.hotpot.api.ApplyOutcome.FAILED, refused.outcome());
        assertEquals(io.hotpot.api.ApplyPhase.VERIFY, refused.failedPhase());
        assertEquals(null, refused.runningVersion());
        assertTrue(refused.message(), refused.message().contains("was refused: the signature does not verify"));
    }
}
