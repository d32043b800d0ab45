package io.hotpot.itests.exam;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.net.URI;

import javax.inject.Inject;

import io.hotpot.api.cluster.ClusterAdmin;
import org.apache.karaf.features.FeaturesService;
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
 * A stock Apache Karaf, into which Hotpot is installed the way a user does it: add the feature repository,
 * install feature "hotpot". Proves the feature repository is self-contained (it brings scr, Aries RSA,
 * ZooKeeper, Curator) and needs nothing from the Hotpot distribution but two system properties.
 *
 * <p>The test probe must not use Hotpot, SCR or Karaf shell classes before the install, so this class has no
 * fields of those types (Pax Exam resolves field types before any test runs): Hotpot and SCR packages do not
 * exist yet, and installing "hotpot" refreshes the Karaf shell (jsr305, which Curator needs, satisfies an optional
 * import of jline; jline's refresh cascades to shell.core and every command bundle). A probe already wired to the
 * old shell would be refreshed with it, mid-test. The shell is therefore looked up after the install.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StockKarafFeatureIT {

    @Inject
    private BundleContext context;

    @Inject
    @Filter(timeout = HotpotChecks.TIMEOUT_MS)
    private FeaturesService features;

    @Configuration
    public Option[] config() {
        return options(
                ExamSupport.karaf(ExamSupport.stockKaraf()),
                // What the Hotpot distribution puts into etc/system.properties and a stock Karaf lacks:
                // without SASL configured, the ZooKeeper client would first try a JAAS login;
                editConfigurationFilePut("etc/system.properties", "zookeeper.sasl.client", "false"),
                // and advertise RSA endpoints on loopback, not a host name that may not resolve to it.
                editConfigurationFilePut("etc/system.properties", "aries.rsa.hostname", "127.0.0.1"),
                // A ZooKeeper of this test's own (not one on 2181 that someone else may run).
                ExamSupport.zookeeperAt(ExamSupport.startZooKeeper()),
                // The repository URL for the probe, which cannot read the test JVM's system properties.
                systemProperty("hotpot.features.repository").value(ExamSupport.featuresRepository()));
    }

    @Test
    public void hotpotFeatureInstallsAndRuns() throws Exception {
        URI repository = URI.create(System.getProperty("hotpot.features.repository"));
        // feature:repo-add, feature:install hotpot
        features.addRepository(repository);
        features.installFeature("hotpot");
        assertTrue("feature hotpot installed", features.isInstalled(features.getFeature("hotpot")));

        HotpotChecks.assertBundlesActive(context);
        // SCR and the node's service came with the feature: look them up now rather than inject them.
        HotpotChecks.assertNodeComponentActive(context, HotpotChecks.service(context, ServiceComponentRuntime.class));
        ClusterAdmin cluster = HotpotChecks.service(context, ClusterAdmin.class);

        // The shell as it is after the install (see the class comment).
        KarafShell shell = new KarafShell(HotpotChecks.service(context, SessionFactory.class));
        HotpotChecks.assertCommandsRegistered(shell);
        HotpotChecks.assertLeadsAlone(cluster, shell);
    }
}
