package io.hotpot.itests.exam;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption;

/**
 * Pax Exam options shared by the Karaf container tests. Runs in the test JVM only ({@code @Configuration}).
 *
 * <p>Every container is isolated from other Karaf processes on this machine: no ssh, its own ports on
 * 127.0.0.1 (Pax Exam itself picks free ports for its RMI registry and for Karaf's JMX), and Maven resolution
 * that never leaves the local repository.
 */
final class ExamSupport {

    /** Node name (karaf.name), which Hotpot also uses as its node id. */
    static final String NODE_NAME = "exam";

    private static final String MVN_CFG = "etc/org.ops4j.pax.url.mvn.cfg";
    private static final String SYSTEM_PROPERTIES = "etc/system.properties";
    private static final String FASTBIN_CFG = "etc/org.apache.aries.rsa.provider.fastbin.cfg";
    private static final String NODE_CFG = "etc/io.hotpot.node.cfg";
    private static final String DISCOVERY_CFG = "etc/org.apache.aries.rsa.discovery.zookeeper.cfg";

    private ExamSupport() {
    }

    /** The Hotpot distribution tar.gz built by the distribution module (set by failsafe). */
    static String hotpotDistribution() {
        return fileUrl("hotpot.dist");
    }

    /** The stock Apache Karaf tar.gz, copied from the local repository in pre-integration-test. */
    static String stockKaraf() {
        return fileUrl("hotpot.stock.karaf");
    }

    /** mvn: URL of Hotpot's feature repository, as a user would add it. */
    static String featuresRepository() {
        return "mvn:io.hotpot/hotpot-features/" + property("hotpot.version") + "/xml/features";
    }

    /**
     * The options every test container gets.
     *
     * @param frameworkUrl the Karaf tar.gz to unpack and boot
     */
    static Option karaf(String frameworkUrl) {
        String m2 = new File(property("hotpot.m2")).toURI().toString();
        return composite(
                karafDistributionConfiguration()
                        .frameworkUrl(frameworkUrl)
                        .unpackDirectory(new File(property("hotpot.exam.dir")))
                        .useDeployFolder(false),
                // mvn verify -Dhotpot.exam.keep=true keeps target/exam/<uuid> (etc/, data/log/karaf.log) for
                // debugging (failsafe passes -D user properties on to the test JVM).
                Boolean.getBoolean("hotpot.exam.keep") ? keepRuntimeFolder() : composite(),
                // Pax Exam sets Karaf's root log level to WARN; -Dhotpot.exam.log=INFO (or DEBUG) shows more.
                logLevel(LogLevelOption.LogLevel.valueOf(System.getProperty("hotpot.exam.log", "WARN"))),
                vmOptions(java9Flags(property("hotpot.karaf.version"))),
                // The ssh server would listen on 0.0.0.0:8101 in a stock Karaf; nothing here needs it. Pin its
                // port and host anyway, in case a feature starts it regardless.
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshHost", "127.0.0.1"),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
                // Offline: the Karaf's own system/ folder, then the local repository (where Maven put the
                // Hotpot artifacts and Pax Exam's container bundles); no remote repository.
                editConfigurationFilePut(MVN_CFG, "org.ops4j.pax.url.mvn.localRepository", property("hotpot.m2")),
                editConfigurationFilePut(MVN_CFG, "org.ops4j.pax.url.mvn.defaultRepositories",
                        "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots,"
                                + m2 + "@id=local@snapshots"),
                editConfigurationFilePut(MVN_CFG, "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut(SYSTEM_PROPERTIES, "karaf.name", NODE_NAME),
                // Fastbin's default tcp://0.0.0.0:2543 would clash with any other node on this machine.
                editConfigurationFilePut(FASTBIN_CFG, "uri", "tcp://127.0.0.1:" + freePort()),
                editConfigurationFilePut(FASTBIN_CFG, "exportedAddress", "127.0.0.1"));
    }

    /**
     * Points the node's Curator client and Aries RSA's ZooKeeper discovery at a ZooKeeper on 127.0.0.1,
     * instead of the default port 2181, where another test or a developer may run one.
     */
    static Option zookeeperAt(int port) {
        return composite(
                editConfigurationFilePut(NODE_CFG, "zookeeper.connect", "127.0.0.1:" + port),
                editConfigurationFilePut(DISCOVERY_CFG, "zookeeper.host", "127.0.0.1"),
                editConfigurationFilePut(DISCOVERY_CFG, "zookeeper.port", Integer.toString(port)));
    }

    /**
     * Starts a real ZooKeeper on 127.0.0.1 and a free port, in the test JVM, for one container; it is stopped when
     * this JVM exits. A fresh one per container, so that nothing a previous container registered (its member
     * znode, its RSA endpoint) can leak into the next test.
     *
     * <p>It lives outside the container on purpose: it must outlive the Karaf's shutdown, because the node
     * deregisters from ZooKeeper while stopping and, with ZooKeeper already gone, retries that for minutes.
     * Pax Exam's runner does not run @BeforeClass/@AfterClass in the test JVM, hence the shutdown hook.
     *
     * @return its port
     */
    static int startZooKeeper() {
        TestingServer server;
        try {
            server = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a ZooKeeper for the test", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException ignored) {
                // The JVM is exiting; its data folder is a temporary one.
            }
        }, "exam-zookeeper-stop"));
        return server.getPort();
    }

    /**
     * The Java 9+ flags that bin/karaf adds and Pax Exam's own command line lacks (without them:
     * NoClassDefFoundError org/apache/karaf/specs/locator/OsgiLocator). Copied from Karaf 4.4.10's bin/karaf.
     * Paths are relative: Pax Exam starts the JVM in the unpacked Karaf's home, whose folder name is random.
     *
     * @param karafVersion the version in the names of the lib/endorsed jars
     */
    private static String[] java9Flags(String karafVersion) {
        return new String[] {
            "--add-reads=java.xml=java.logging",
            "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
            "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
            "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
            "--add-opens", "java.base/java.security=ALL-UNNAMED",
            "--add-opens", "java.base/java.net=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
            "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
            "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
            "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
            "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED",
        };
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fileUrl(String property) {
        File file = new File(property(property));
        if (!file.isFile()) {
            throw new IllegalStateException(property + " = " + file + " does not exist; build it first");
        }
        return file.toURI().toString();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + name + " is not set (failsafe sets it, see itests/pom.xml)");
        }
        return value;
    }
}
