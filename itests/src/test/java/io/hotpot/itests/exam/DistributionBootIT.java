package io.hotpot.itests.exam;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.options;

import javax.inject.Inject;

import io.hotpot.api.cluster.ClusterAdmin;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * Boots the Hotpot distribution (hotpot-distribution tar.gz, "hotpot" is a boot feature) and checks that a node
 * comes up complete: bundles, the node component, the console commands, and, connected to a ZooKeeper, that
 * the single node elects itself leader.
 *
 * <p>One container for all methods (PerClass): booting is the expensive part.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DistributionBootIT {

    @Inject
    private BundleContext context;

    @Inject
    @Filter(timeout = HotpotChecks.TIMEOUT_MS)
    private ServiceComponentRuntime scr;

    /** Registered by the node component once it started; injection therefore waits for the node. */
    @Inject
    @Filter(timeout = HotpotChecks.TIMEOUT_MS)
    private ClusterAdmin cluster;

    @Inject
    @Filter(timeout = HotpotChecks.TIMEOUT_MS)
    private SessionFactory sessions;

    @Configuration
    public Option[] config() {
        return options(
                ExamSupport.karaf(ExamSupport.hotpotDistribution()),
                // A ZooKeeper of this test's own: it makes leader election observable, and keeps the node out of
                // any ZooKeeper on the default port 2181.
                ExamSupport.zookeeperAt(ExamSupport.startZooKeeper()));
    }

    @Test
    public void hotpotBundlesAreActive() {
        HotpotChecks.assertBundlesActive(context);
    }

    @Test
    public void nodeComponentIsActive() {
        HotpotChecks.assertNodeComponentActive(context, scr);
        assertEquals("node id (karaf.name)", ExamSupport.NODE_NAME, cluster.localNodeId());
    }

    @Test
    public void hotCommandsAreRegistered() {
        HotpotChecks.assertCommandsRegistered(new KarafShell(sessions));
    }

    @Test
    public void singleNodeLeadsItsCluster() throws Exception {
        HotpotChecks.assertLeadsAlone(cluster, new KarafShell(sessions));
    }
}
