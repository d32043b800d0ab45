package io.hotpot.runtime;

import io.hotpot.api.FollowerService;
import io.hotpot.api.cluster.ClusterAdmin;
import io.hotpot.runtime.apply.BundleApplier;
import io.hotpot.runtime.apply.FaultPoints;
import io.hotpot.runtime.artifact.ArtifactInspector;
import io.hotpot.runtime.cluster.ArtifactFetcher;
import io.hotpot.runtime.cluster.ClusterService;
import io.hotpot.runtime.cluster.ClusterState;
import io.hotpot.runtime.cluster.Convergence;
import io.hotpot.runtime.cluster.DiscoveryRepair;
import io.hotpot.runtime.cluster.EndpointProofs;
import io.hotpot.runtime.cluster.FollowerDirectory;
import io.hotpot.runtime.cluster.Leadership;
import io.hotpot.runtime.cluster.Membership;
import io.hotpot.runtime.cluster.RolloutControls;
import io.hotpot.runtime.cluster.RolloutLog;
import io.hotpot.runtime.deploy.DeployTrigger;
import io.hotpot.runtime.deploy.FileStability;
import io.hotpot.runtime.follower.ExportedEndpoint;
import io.hotpot.runtime.follower.FollowerEndpoint;
import io.hotpot.runtime.follower.MemberSignatures;
import io.hotpot.runtime.security.member.MemberSigner;
import io.hotpot.runtime.security.member.MemberVerifier;
import io.hotpot.runtime.gate.ServiceDamper;
import io.hotpot.runtime.security.claims.BundleClaimGuard;
import io.hotpot.runtime.security.rsa.FastbinCallFilter;
import io.hotpot.runtime.security.claims.FrameworkBundles;
import io.hotpot.runtime.security.rsa.RemoteCallPolicy;
import io.hotpot.runtime.security.ticket.ReplayGuard;
import io.hotpot.runtime.security.ticket.RolloutSequence;
import io.hotpot.runtime.security.verify.RolloutVerifier;
import io.hotpot.runtime.security.ticket.TicketIssuer;
import io.hotpot.runtime.security.ticket.TicketSigner;
import io.hotpot.runtime.security.ticket.TicketVerifier;
import io.hotpot.runtime.security.credentials.NodeSecurity;
import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.credentials.SecuritySettings;
import io.hotpot.runtime.security.credentials.ZooKeeperCredentials;
import io.hotpot.runtime.store.ArtifactStore;
import io.hotpot.runtime.store.SwapJournal;
import io.hotpot.runtime.transfer.ChunkedPusher;
import io.hotpot.runtime.transfer.InboundTransfers;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.apache.felix.fileinstall.ArtifactListener;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One Hotpot node: the composition root that builds the node's parts from PID
 * {@code io.hotpot.node} and the cluster's credentials ({@link NodeSecurity}, from the credentials
 * file and PID {@code io.hotpot.security}: without them the node does not start), starts them, and publishes
 * three services:
 * <ul>
 *   <li>{@link FollowerService}, exported through Aries RSA ({@code service.exported.configs =
 *       aries.fastbin}) and published in ZooKeeper by Aries discovery;</li>
 *   <li>{@link ClusterAdmin}, local, for the {@code hot:*} commands;</li>
 *   <li>the {@code deploy/} trigger, a FileInstall {@link ArtifactInstaller}.</li>
 * </ul>
 * <p>A change of PID {@code io.hotpot.node} ({@link #modified}) rebuilds the node's parts with the
 * new settings but keeps its {@link ServiceDamper}: the gates and the proxies that consumers and
 * Aries RSA hold stay registered, so no consumer rebinds to a managed bundle's own, ungated service,
 * and a swap in progress finishes behind its gate first. Only a new {@code node.id} or
 * {@code data.dir}, which make it another node, re-create them. A change of {@code io.hotpot.security}
 * or of the credentials file re-creates the whole component (its {@link NodeSecurity} reference is
 * static, and {@code NodeSecurityProvider} registers a new one).
 *
 * <p>SCR calls the constructor, {@link #modified} and {@link #deactivate} one at a time; the fields
 * they change are read by no other thread.
 */
@Component(immediate = true, configurationPid = "io.hotpot.node", configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {})
@Designate(ocd = NodeConfiguration.class)
public final class HotpotNode {

    private static final Logger LOG = LoggerFactory.getLogger(HotpotNode.class);

    /** Object graph bounds of a remote call: Hotpot's values are a few levels deep and small. */
    private static final int RSA_MAX_DEPTH = 32;
    private static final int RSA_MAX_REFERENCES = 100_000;

    /** Above Karaf's deployers (wrap, features, kar) and FileInstall's built-in bundle handling. */
    private static final int DEPLOY_RANKING = 1000;

    private final BundleContext context;
    private final NodeSecurity nodeSecurity;
    private final Deque<Closeable> parts = new ArrayDeque<>();
    /** Outlives a reconfiguration: consumers keep their proxies, and a swap its gate. */
    private ServiceDamper damper;
    /**
     * Outlives a reconfiguration too: closing it rejects every fastbin stream, so a remote call
     * arriving while the node's parts start again would fail.
     */
    private FastbinCallFilter rsaFilter;
    /**
     * Outlives a reconfiguration as well: it holds Aries RSA's {@code RemoteServiceAdmin}, and Aries
     * closes every export of the runtime bundle's services (the proxies among them) when the bundle
     * releases its last use of that service.
     */
    private ExportedEndpoint exportedAs;
    private NodeSettings settings;
    private List<ServiceRegistration<?>> registrations = List.of();

    /**
     * @throws Exception if the configuration is invalid or the data folder cannot be created;
     *                   a ZooKeeper that is down is not an error, Curator keeps retrying. Whatever
     *                   was opened before the failure (hooks, proxies, the Curator client and their
     *                   threads) is closed again, in reverse order, so the next activation starts clean
     */
    @Activate
    public HotpotNode(BundleContext context, NodeConfiguration config, @Reference NodeSecurity nodeSecurity)
            throws Exception {
        this.context = context;
        this.nodeSecurity = nodeSecurity;
        NodeSettings s = settingsOf(config);
        try {
            start(s);
        } catch (Exception | Error e) {
            LOG.error("Hotpot: node activation failed; closing what it opened", e);
            stop(true);
            throw e;
        }
    }

    /**
     * Applies a new configuration of PID {@code io.hotpot.node}: returns once the node runs on it.
     * Unpublishes the node's own services, closes its parts (waiting for a swap in progress to end,
     * see {@link BundleApplier#finishSwaps}) and builds them again on the new settings, keeping the gates and
     * proxies unless {@code node.id} or {@code data.dir} changed. A configuration with an unusable
     * value is refused with an error naming the key, and the node keeps running on its current one.
     * If the node cannot start again on the new settings, it logs why and stays stopped until the
     * next configuration change or a restart of the bundle.
     */
    @Modified
    public void modified(NodeConfiguration config) {
        NodeSettings next;
        try {
            next = settingsOf(config);
        } catch (IllegalArgumentException e) {
            LOG.error("Hotpot: node {}: the new configuration of io.hotpot.node is refused, the node keeps running "
                    + "on its current one: {}", settings == null ? "?" : settings.nodeId(), e.getMessage());
            return;
        }
        if (next.equals(settings)) {
            return;
        }
        boolean sameNode = settings != null && next.nodeId().equals(settings.nodeId())
                && next.dataDir().equals(settings.dataDir());
        LOG.info("Hotpot: node {} reconfigured; {}", next.nodeId(), sameNode
                ? "its gates and proxies stay registered while its parts start again"
                : "node.id or data.dir changed: it starts as a new node, with new gates and proxies");
        stop(!sameNode);
        try {
            start(next);
        } catch (Exception | Error e) {
            LOG.error("Hotpot: node {} could not start again on its new configuration and is stopped", next.nodeId(), e);
            stop(true);
        }
    }

    /**
     * Unpublishes the services, then closes the parts in reverse order of creation, the gates, the
     * fastbin filter and the hold on Remote Service Admin last.
     */
    @Deactivate
    public void deactivate() {
        stop(true);
    }

    /** @throws IllegalArgumentException naming the key whose value is unusable */
    private NodeSettings settingsOf(NodeConfiguration config) {
        NodeSettings s = NodeSettings.from(config, context.getProperty("karaf.name"), context.getProperty("karaf.base"),
                context.getProperty("karaf.data"));
        nodeSecurity.settings().requireFits(s.chunkSizeBytes());
        return s;
    }

    private void start(NodeSettings s) throws Exception {
        registrations = activate(s);
        settings = s;
    }

    /** @param whole also the gates, the fastbin filter and the hold on Remote Service Admin, which a reconfiguration keeps */
    private void stop(boolean whole) {
        registrations.forEach(HotpotNode::unregisterQuietly);
        registrations = List.of();
        closeParts();
        settings = null;
        if (whole) {
            if (damper != null) {
                damper.close();
                damper = null;
            }
            if (rsaFilter != null) {
                rsaFilter.close();
                rsaFilter = null;
            }
            if (exportedAs != null) {
                exportedAs.close();
                exportedAs = null;
            }
        }
    }

    /** Deletes stored bytes that nothing runs or keeps and that are older than the retention (issue 11 item 4). */
    private static void pruneUnnamed(ArtifactStore store, String id, long retentionMs) {
        try {
            List<String> deleted = store.pruneUnnamed(retentionMs, System.currentTimeMillis());
            if (!deleted.isEmpty()) {
                LOG.info("Hotpot: node {} deleted {} stored artifact(s) that no bundle runs or keeps: {}", id,
                        deleted.size(), deleted);
            }
        } catch (IOException e) {
            LOG.warn("Hotpot: node {} could not prune its artifact store: {}", id, e.toString());
        }
    }

    private List<ServiceRegistration<?>> activate(NodeSettings s) throws Exception {
        String id = s.nodeId();
        SecuritySettings security = nodeSecurity.settings();
        SecurityLog securityLog = new SecurityLog(id);
        if (rsaFilter == null) {
            // Its policy rests on io.hotpot.security and the node id, which a reconfiguration keeps.
            rsaFilter = FastbinCallFilter.install(new RemoteCallPolicy(security.rsaAllowedClasses(),
                    security.rsaMessageMaxBytes(), RSA_MAX_DEPTH, RSA_MAX_REFERENCES,
                    (what, why) -> securityLog.refused(what, "a fastbin remote call", why)));
        }

        ArtifactStore store = new ArtifactStore(s.dataDir(), s.keptVersions(), s.unappliedRetentionMs());
        if (damper == null) {
            // The component's first activation: no transfer or download of this node is in progress, so what
            // staging holds was cut short by the last stop, and nothing resumes it (issue 11 item 4).
            int cleared = store.clearStaging();
            if (cleared > 0) {
                LOG.info("Hotpot: node {} deleted {} staging file(s) left by its last stop", id, cleared);
            }
        }
        FrameworkBundles frameworkBundles = new FrameworkBundles(context);
        BundleClaimGuard claims = new BundleClaimGuard(systemBundlesStartLevel(context),
                frameworkBundles::named, bsn -> store.applied(bsn).isPresent(), securityLog);
        ArtifactInspector inspector = new ArtifactInspector(s.artifactMaxBytes(), claims.asPolicy());
        boolean newGates = damper == null;
        if (newGates) {
            damper = new ServiceDamper(context, BundleApplier.managedIn(store), id, s.gateWaitMs());
        } else {
            damper.waitMs(s.gateWaitMs());
        }
        FaultPoints faults = new FaultPoints(s.dataDir());
        BundleApplier applier = own(new BundleApplier(id, context, store, new SwapJournal(s.dataDir()), inspector,
                damper, faults, s.migrationTimeoutMs(), s.healthTimeoutMs(), frameworkBundles::isRuntimePart,
                new io.hotpot.runtime.store.FailureRecord(s.dataDir())));

        // A swap interrupted by the last stop is finished first; its bundle's calls wait meanwhile.
        CountDownLatch gatesClosed = new CountDownLatch(1);
        Thread recovery = new Thread(() -> {
            try {
                applier.recover(gatesClosed::countDown);
                // After the recovery, which may need the bytes of an interrupted swap's old revision.
                pruneUnnamed(store, id, s.unappliedRetentionMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                gatesClosed.countDown();
            }
        }, "hotpot-recovery");
        recovery.setDaemon(true);
        recovery.start();
        own(() -> {
            // Joined, so that the recovery of a reconfigured node never runs beside this one.
            recovery.interrupt();
            try {
                recovery.join(s.migrationTimeoutMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!gatesClosed.await(s.migrationTimeoutMs(), TimeUnit.MILLISECONDS)) {
            LOG.warn("Hotpot: recovery did not close its gates within {} ms", s.migrationTimeoutMs());
        }
        if (newGates) {
            damper.start();
        }

        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(s.zookeeperConnect())
                .sessionTimeoutMs(s.sessionTimeoutMs())
                .connectionTimeoutMs(s.connectionTimeoutMs())
                .retryPolicy(new ExponentialBackoffRetry(250, 29, 5_000))
                // Only a lost session ends leadership and membership, not a suspended connection: when
                // one server of an ensemble dies, clients move to another within their session, and a
                // leader that stepped down for that would refuse rollouts and churn the election.
                // A partitioned leader cannot start a rollout anyway: it must record it in ZooKeeper first.
                .connectionStateErrorPolicy(new org.apache.curator.framework.state.SessionConnectionStateErrorPolicy())
                .authorization(ZooKeeperCredentials.SCHEME, security.zookeeper().authBytes())
                .aclProvider(security.zookeeper().aclProvider())
                .build();
        curator.start();

        own(curator::close);
        Leadership leadership = new Leadership(curator, s.zookeeperRoot(), id);
        Membership membership = new Membership(curator, s.zookeeperRoot(), id,
                "node=" + id + "\nstartedAt=" + System.currentTimeMillis());
        // With ZooKeeper down the recipes' close() retries for minutes; the session's end removes
        // their znodes anyway, so they get a bounded time before the client is closed under them.
        own(() -> closeWithin(2_000, membership, leadership));
        // The leader talks only to endpoints that prove the cluster key (issue 11 item 2): /osgi is open to any client.
        EndpointProofs proofs = own(new EndpointProofs(new MemberVerifier(security.keys().trustedKeys()), securityLog,
                s.callTimeoutMs(), () -> System.nanoTime() / 1_000_000));
        FollowerDirectory directory = own(new FollowerDirectory(context, proofs));
        if (exportedAs == null) {
            exportedAs = new ExportedEndpoint(context);
            exportedAs.start();
        }
        ClusterState state = new ClusterState(curator, s.zookeeperRoot());
        InboundTransfers transfers = new InboundTransfers(id, store, s.transferLimits(), () -> System.nanoTime() / 1_000_000);
        // Every node checks every rollout it is handed, the leader's own included: the cluster key's
        // signature, the bytes against the ticket, the manifest, and its replay record.
        RolloutVerifier verifier = new RolloutVerifier(new TicketVerifier(security.keys().trustedKeys()), inspector,
                new ReplayGuard(s.dataDir()), s.artifactMaxBytes(), securityLog);
        TicketIssuer issuer = new TicketIssuer(id, new RolloutSequence(curator, s.zookeeperRoot(),
                new ExponentialBackoffRetry(50, 5), System::currentTimeMillis), new TicketSigner(security.keys().signingKey()));
        RolloutLog rollouts = new RolloutLog(curator, s.zookeeperRoot());
        FollowerEndpoint endpoint = new FollowerEndpoint(id, transfers, applier, store, leadership::isLeader,
                state::writeActual, verifier, t -> rollouts.refusal(t, 2_000), (int) (security.rsaMessageMaxBytes() - SecuritySettings.CALL_OVERHEAD_BYTES),
                new MemberSignatures(exportedAs, new MemberSigner(id, security.keys().signingKey())));
        ArtifactFetcher fetcher = new ArtifactFetcher(id, store, directory, transfers, s.chunkSizeBytes());
        ClusterService cluster = own(new ClusterService(s, context, leadership, membership, directory, endpoint,
                applier, store, inspector, new ChunkedPusher(s.chunkSizeBytes()), state, rollouts,
                new RolloutControls(curator, s.zookeeperRoot()), fetcher, issuer, faults));
        leadership.whenElected(cluster::takeOver);
        Convergence convergence = own(new Convergence(context, curator, state, id, store, applier, leadership, fetcher,
                rollouts, verifier, 3_000));
        DeployTrigger trigger = new DeployTrigger(id, s.deployDir(), cluster, s.deployPolicy(),
                new FileStability(200, 2_000, 60_000), s.dataDir().resolve("deploy-distributed.properties"));

        directory.start();
        membership.start();
        leadership.start();
        own(new DiscoveryRepair(curator, context, id, () -> System.nanoTime() / 1_000_000,
                () -> DiscoveryRepair.discoverySessions(context), directory::endpointIds,
                new java.util.Random())).start();

        Dictionary<String, Object> exported = new Hashtable<>();
        exported.put("service.exported.interfaces", FollowerService.class.getName());
        exported.put("service.exported.configs", "aries.fastbin");
        exported.put(FollowerService.NODE_ID_PROPERTY, id);
        Dictionary<String, Object> deploy = new Hashtable<>();
        deploy.put(Constants.SERVICE_RANKING, DEPLOY_RANKING);
        List<ServiceRegistration<?>> registered = new java.util.ArrayList<>();
        own(() -> registered.forEach(HotpotNode::unregisterQuietly));
        for (ServiceRegistration<?> r : List.of(
                context.registerService(FollowerService.class, endpoint, exported),
                context.registerService(ClusterAdmin.class, cluster, null),
                context.registerService(new String[]{ArtifactInstaller.class.getName(), ArtifactListener.class.getName()},
                        trigger, deploy))) {
            registered.add(r);
        }
        exportedAs.exportedAs(registered.get(0).getReference());
        convergence.start();
        // Closed first: a swap in progress ends while the node is still a member with its endpoint, so
        // a reconfiguration does not make the leader take the node for lost in the middle of its swap.
        own(applier::finishSwaps);
        LOG.info("Hotpot: node {} started (ZooKeeper {}{}, data {}, deploy {})", id, s.zookeeperConnect(),
                s.zookeeperRoot(), s.dataDir(), s.deployDir());
        return List.copyOf(registered);
    }

    private static void unregisterQuietly(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException ignored) {
            // Already unregistered by the framework while stopping.
        }
    }

    private void closeParts() {
        while (!parts.isEmpty()) {
            Closeable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Hotpot: closing {} failed", part, e);
            }
        }
    }

    private static int systemBundlesStartLevel(BundleContext context) {
        String level = context.getProperty("karaf.systemBundlesStartLevel");
        try {
            return level == null ? BundleClaimGuard.KARAF_DEFAULT_SYSTEM_START_LEVEL : Integer.parseInt(level.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("karaf.systemBundlesStartLevel is not a number: " + level, e);
        }
    }

    private static void closeWithin(long ms, Closeable... parts) {
        Thread closer = new Thread(() -> {
            for (Closeable part : parts) {
                try {
                    part.close();
                } catch (Exception e) {
                    LOG.debug("Hotpot: closing {} failed", part, e);
                }
            }
        }, "hotpot-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T extends Closeable> T own(T part) {
        parts.push(part);
        return part;
    }
}
