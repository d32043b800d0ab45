package io.hotpot.runtime.cluster;

import io.hotpot.api.FollowerService;
import io.hotpot.api.MembershipProof;
import io.hotpot.api.SignedApplyReport;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.security.member.MemberVerifier;
import io.hotpot.runtime.security.member.MemberVerifier.Claim;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Decides which imported {@link FollowerService} endpoints this node talks to: only those that
 * prove, by a fresh challenge, that a holder of the cluster key serves them at the address they are
 * imported from (issue 11 item 2). Aries RSA's {@code /osgi} znodes can be written by any ZooKeeper
 * client, so without this a fake endpoint under a node's id would receive the leader's tickets and
 * could answer for the node.
 *
 * <p>Each import (one service registration of Aries' topology manager) is asked once. A proof that
 * does not hold is a refusal: logged once on the {@code io.hotpot.security} logger, and the import
 * is never called again. An import that cannot answer (a stale endpoint of a restarted node, a node
 * still exporting) is asked again after {@link #RETRY_MS} ms. A call waits at most the node's
 * {@code call.timeout.ms}, so an endpoint that never answers costs each caller that long at most
 * once per {@link #RETRY_MS}.
 *
 * <p>Thread-safe. {@link #close()} stops the calls in progress; later checks answer "not proven".
 */
public final class EndpointProofs implements Closeable {

    /** How long an import that could not answer is left alone before it is asked again, in ms. */
    static final long RETRY_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(EndpointProofs.class);
    private static final String FROM = "Aries RSA discovery (an endpoint published under ZooKeeper's /osgi)";

    /** What is known of one import. */
    private sealed interface Verdict {
    }

    private record Proven() implements Verdict {
    }

    private record Refused(String why) implements Verdict {
    }

    private record Unanswered(long retryAt) implements Verdict {
    }

    private final MemberVerifier verifier;
    private final SecurityLog log;
    private final long callTimeoutMs;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Verdict> verdicts = new ConcurrentHashMap<>();
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hotpot-endpoint-proof");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param verifier      checks proofs against the trusted keys
     * @param log           where refusals go
     * @param callTimeoutMs how long one proof may take, in ms, {@code > 0}
     * @param clock         milliseconds, monotonic
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public EndpointProofs(MemberVerifier verifier, SecurityLog log, long callTimeoutMs, LongSupplier clock) {
        if (callTimeoutMs <= 0) {
            throw new IllegalArgumentException("callTimeoutMs must be > 0: " + callTimeoutMs);
        }
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.log = Objects.requireNonNull(log, "log");
        this.callTimeoutMs = callTimeoutMs;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Whether this import proved, or now proves, its membership. Blocks for one remote call of at
     * most {@code call.timeout.ms} when the import has not been asked yet (or its last ask went
     * unanswered {@link #RETRY_MS} ago); answers from memory otherwise.
     *
     * @param importId the import's {@code service.id}: a new import is asked anew
     * @param claim    what the import says it is (node id, endpoint id, address); null parts never prove
     * @param service  the import's proxy
     * @return true if the endpoint may be called
     */
    public boolean proven(long importId, Claim claim, FollowerService service) {
        Verdict known = verdicts.get(importId);
        if (known instanceof Proven) {
            return true;
        }
        if (known instanceof Refused || known instanceof Unanswered u && clock.getAsLong() < u.retryAt()) {
            return false;
        }
        Verdict verdict = ask(claim, service);
        verdicts.put(importId, verdict);
        if (verdict instanceof Refused r) {
            log.refused(claim.toString(), FROM, SecurityRefusal.Reason.MEMBERSHIP + ": " + r.why()
                    + "; this node will not call it");
        }
        return verdict instanceof Proven;
    }

    /**
     * Checks a proven endpoint's answer to {@code applyStored}: signed by the cluster key, by that
     * node, as its answer to that ticket. A refusal is logged on the {@code io.hotpot.security} logger.
     *
     * @param nodeId     the node that was asked
     * @param endpointId the endpoint that was called
     * @param ticket     what was sent
     * @param answer     what came back, possibly null
     * @return empty if the answer holds; else why not
     */
    public Optional<String> reportRefusal(String nodeId, String endpointId, SignedRolloutTicket ticket,
                                          SignedApplyReport answer) {
        Optional<String> why = answer == null ? Optional.of("it answered no report")
                : verifier.reportRefusal(nodeId, ticket.ticket(), answer);
        why.ifPresent(w -> log.refused("the apply report of " + nodeId + " for rollout " + ticket.ticket().rolloutId()
                        + " (" + ticket.ticket().artifact().coordinates() + ")", "endpoint " + endpointId,
                SecurityRefusal.Reason.MEMBERSHIP + ": " + w));
        return why;
    }

    /** Forgets imports that are gone, so that the memory stays bounded by the imports there are. */
    public void retain(Set<Long> importIds) {
        verdicts.keySet().retainAll(importIds);
    }

    private Verdict ask(Claim claim, FollowerService service) {
        if (claim.nodeId() == null || claim.endpointId() == null || claim.address() == null) {
            return new Refused("the import lacks its node id, endpoint id or address");
        }
        byte[] challenge = new byte[MembershipProof.CHALLENGE_BYTES];
        random.nextBytes(challenge);
        Future<MembershipProof> answer;
        try {
            answer = calls.submit(() -> service.prove(challenge));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            return new Unanswered(Long.MAX_VALUE);
        }
        MembershipProof proof;
        try {
            proof = answer.get(callTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            return new Unanswered(clock.getAsLong());
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            answer.cancel(true);
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            LOG.info("Hotpot: {} did not prove its membership ({}); asking again in {} ms", claim,
                    cause instanceof TimeoutException ? "no answer within call.timeout.ms=" + callTimeoutMs : cause,
                    RETRY_MS);
            return new Unanswered(clock.getAsLong() + RETRY_MS);
        }
        if (proof == null) {
            return new Refused("it answered no proof");
        }
        return verifier.refusal(claim, challenge, proof).<Verdict>map(Refused::new).orElseGet(Proven::new);
    }

    /** Stops the calls in progress. Idempotent. */
    @Override
    public void close() {
        calls.shutdownNow();
    }
}
