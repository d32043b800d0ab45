package io.hotpot.runtime.cluster;

import io.hotpot.api.ApplyOutcome;
import io.hotpot.api.ApplyPhase;
import io.hotpot.api.ApplyReport;
import io.hotpot.api.FollowerService;
import io.hotpot.api.SignedApplyReport;
import io.hotpot.api.SignedRolloutTicket;
import io.hotpot.api.TransferException;
import io.hotpot.runtime.follower.ExportedEndpoint;
import io.hotpot.runtime.security.member.MemberVerifier.Claim;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import java.io.Closeable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The other nodes' {@link FollowerService} endpoints, as Aries RSA imports them into this
 * framework (services with {@code service.imported}), indexed by their {@code hotpot.node.id}.
 * {@link #find} and {@link #await} hand out only endpoints that proved their membership
 * ({@link EndpointProofs}): the node id of an import is only what its znode says. Also remembers
 * when each node last answered a call.
 *
 * <p>Thread-safe.
 */
public final class FollowerDirectory implements Closeable {

    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.LATENT);
    private final ServiceTracker<FollowerService, FollowerService> tracker;
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final EndpointProofs proofs;

    /**
     * @param context the runtime bundle's context
     * @param proofs  decides which imports prove their membership
     */
    public FollowerDirectory(BundleContext context, EndpointProofs proofs) {
        this.proofs = java.util.Objects.requireNonNull(proofs, "proofs");
        try {
            this.tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter("(&(objectClass="
                    + FollowerService.class.getName() + ")(service.imported=*))"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts tracking. The tracker's interest is what makes the RSA topology manager import the
     * endpoints in the first place.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        if (!state.compareAndSet(Lifecycle.LATENT, Lifecycle.STARTED)) {
            throw new IllegalStateException("cannot be started more than once");
        }
        tracker.open();
    }

    /** @return the ids that imported endpoints claim now, proven or not, sorted */
    public Set<String> nodeIds() {
        Set<String> ids = new TreeSet<>();
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs != null) {
            for (ServiceReference<FollowerService> ref : refs) {
                Object id = ref.getProperty(FollowerService.NODE_ID_PROPERTY);
                if (id != null) {
                    ids.add(id.toString());
                }
            }
        }
        return ids;
    }

    /** @return the {@code endpoint.id}s of the endpoints imported now */
    public Set<String> endpointIds() {
        Set<String> ids = new java.util.HashSet<>();
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs != null) {
            for (ServiceReference<FollowerService> ref : refs) {
                Object id = ref.getProperty("endpoint.id");
                if (id != null) {
                    ids.add(id.toString());
                }
            }
        }
        return ids;
    }

    /**
     * The newest imported endpoint of that node that proves its membership. Blocks for a remote call
     * of at most {@code call.timeout.ms} per import not asked yet (see {@link EndpointProofs#proven}).
     *
     * @return the endpoint, or empty if no import of that node id proves it
     */
    public Optional<Endpoint> find(String nodeId) {
        ServiceReference<FollowerService>[] refs = tracker.getServiceReferences();
        if (refs == null) {
            proofs.retain(Set.of());
            return Optional.empty();
        }
        Set<Long> importIds = new java.util.HashSet<>();
        for (ServiceReference<FollowerService> ref : refs) {
            importIds.add((Long) ref.getProperty("service.id"));
        }
        proofs.retain(importIds);
        // Newest import first: after a node restarts, its old endpoint lingers until its ZooKeeper session expires.
        java.util.Arrays.sort(refs, java.util.Comparator.comparing(
                (ServiceReference<FollowerService> r) -> (Long) r.getProperty("service.id")).reversed());
        for (ServiceReference<FollowerService> ref : refs) {
            if (nodeId.equals(String.valueOf(ref.getProperty(FollowerService.NODE_ID_PROPERTY)))) {
                FollowerService service = tracker.getService(ref);
                String endpointId = text(ref, "endpoint.id");
                if (service != null && proofs.proven((Long) ref.getProperty("service.id"), new Claim(nodeId, endpointId,
                        text(ref, ExportedEndpoint.FASTBIN_ADDRESS)), service)) {
                    return Optional.of(new Endpoint(nodeId, endpointId, service, proofs));
                }
            }
        }
        return Optional.empty();
    }

    private static String text(ServiceReference<?> ref, String key) {
        return ref.getProperty(key) instanceof String value ? value : null;
    }

    /**
     * Waits until that node's endpoint is imported and proven, polling every 50 ms.
     *
     * @param timeoutMs how long to wait, in milliseconds
     * @return the endpoint, or empty if it did not appear in time
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<Endpoint> await(String nodeId, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            Optional<Endpoint> endpoint = find(nodeId);
            if (endpoint.isPresent() || System.nanoTime() > deadline) {
                return endpoint;
            }
            Thread.sleep(50);
        }
    }

    /** Records that the node just answered a call. */
    public void seen(String nodeId) {
        lastSeen.put(nodeId, System.currentTimeMillis());
    }

    /** @return milliseconds since the node last answered, or -1 if it never did */
    public long msSinceSeen(String nodeId) {
        Long at = lastSeen.get(nodeId);
        return at == null ? -1 : System.currentTimeMillis() - at;
    }

    /** Stops tracking. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(Lifecycle.CLOSED) == Lifecycle.STARTED) {
            tracker.close();
        }
    }

    /**
     * One imported endpoint that proved its membership.
     *
     * @param nodeId     the exporting node
     * @param endpointId the RSA endpoint id
     * @param service    the proxy; calls travel through the RSA provider
     * @param proofs     what checks the endpoint's signed answers
     */
    public record Endpoint(String nodeId, String endpointId, FollowerService service, EndpointProofs proofs) {

        /**
         * {@link FollowerService#applyStored} on that node, with its answer checked: the report
         * counts only if the node signed it with the cluster key, as its answer to this ticket.
         *
         * @return the node's report, or, if its signature does not hold, a {@code FAILED} report at
         *         {@code VERIFY} that says so (the refusal is logged on {@code io.hotpot.security})
         * @throws TransferException as {@link FollowerService#applyStored} does
         */
        public ApplyReport applyStored(SignedRolloutTicket ticket) throws TransferException {
            long start = System.nanoTime();
            SignedApplyReport answer = service.applyStored(ticket);
            Optional<String> refused = proofs.reportRefusal(nodeId, endpointId, ticket, answer);
            if (refused.isEmpty()) {
                return answer.report();
            }
            return new ApplyReport(nodeId, ticket.ticket().artifact(), ApplyOutcome.FAILED, null, null, null,
                    ApplyPhase.VERIFY, "the answer of " + nodeId + " (endpoint " + endpointId + ") was refused: "
                    + refused.get() + "; what it runs is not known", -1, -1, -1, (System.nanoTime() - start) / 1_000_000);
        }

        /**
         * {@link FollowerService#applyStoredSet} on that node, each member's answer checked as
         * {@link #applyStored} checks one.
         *
         * @return the node's reports, in the tickets' order; a member whose signature does not hold
         *         is a {@code FAILED} report at {@code VERIFY}
         * @throws TransferException as {@link FollowerService#applyStoredSet} does
         */
        public List<ApplyReport> applyStoredSet(List<SignedRolloutTicket> tickets) throws TransferException {
            long start = System.nanoTime();
            List<SignedApplyReport> answers = service.applyStoredSet(tickets);
            if (answers == null || answers.size() != tickets.size()) {
                throw new TransferException(nodeId + " answered the set of " + tickets.size() + " with "
                        + (answers == null ? "nothing" : answers.size() + " reports"));
            }
            List<ApplyReport> reports = new java.util.ArrayList<>();
            for (int i = 0; i < tickets.size(); i++) {
                SignedRolloutTicket ticket = tickets.get(i);
                Optional<String> refused = proofs.reportRefusal(nodeId, endpointId, ticket, answers.get(i));
                reports.add(refused.isEmpty() ? answers.get(i).report() : new ApplyReport(nodeId,
                        ticket.ticket().artifact(), ApplyOutcome.FAILED, null, null, null, ApplyPhase.VERIFY,
                        "the answer of " + nodeId + " (endpoint " + endpointId + ") was refused: " + refused.get()
                                + "; what it runs is not known", -1, -1, -1, (System.nanoTime() - start) / 1_000_000));
            }
            return reports;
        }
    }
}
