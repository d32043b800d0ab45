package io.hotpot.runtime.security.claims;

import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.SecurityRefusal;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.junit.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class BundleClaimGuardTest {

    private static final Map<String, List<InstalledBundle>> INSTALLED = Map.of(
            "org.apache.felix.framework", List.of(new InstalledBundle(0, "org.apache.felix.framework", "7.0.5", "System Bundle", 0, false, null)),
            "org.apache.karaf.shell.core", List.of(new InstalledBundle(40, "org.apache.karaf.shell.core", "4.4.10", "mvn:org.apache.karaf.shell/org.apache.karaf.shell.core/4.4.10", 30, true, "io.hotpot.shell 0.1.0")),
            "org.apache.curator.framework", List.of(new InstalledBundle(29, "org.apache.curator.framework", "9.9.9", "mvn:curator-framework", 80, true, "io.hotpot.runtime 0.1.0")),
            "com.fasterxml.jackson.core.jackson-databind", List.of(new InstalledBundle(23, "com.fasterxml.jackson.core.jackson-databind", "2.18.2", "mvn:jackson-databind", 80, true, "org.apache.curator.framework 5.9.0")),
            "io.hotpot.runtime", List.of(new InstalledBundle(33, "io.hotpot.runtime", "0.1.0", "mvn:io.hotpot/hotpot-runtime", 80, true, null)),
            "org.example.app", List.of(new InstalledBundle(90, "org.example.app", "1.0.0", "mvn:org.example/app/1.0", 80, false, null)),
            "org.example.managed", List.of(new InstalledBundle(91, "org.example.managed", "1.0.0", "hotpot:org.example.managed", 81, false, null)),
            "org.example.early", List.of(new InstalledBundle(92, "org.example.early", "1.0.0", "mvn:org.example/early/1.0", 50, false, null)));

    private final BundleClaimGuard guard = new BundleClaimGuard(50, bsn -> INSTALLED.getOrDefault(bsn, List.of()),
            Set.of("org.example.early.managed")::contains, new SecurityLog("node1"));

    private static ArtifactDescriptor claiming(String bsn) {
        return new ArtifactDescriptor(bsn, "9.9.9", "ab".repeat(32), 10);
    }

    @Test
    public void newManagedAndApplicationBundlesMayBeReplaced() throws Exception {
        guard.check(claiming("org.example.new"), "test");
        guard.check(claiming("org.example.managed"), "test");
        guard.check(claiming("org.example.app"), "test");
    }

    @Test
    public void theFrameworkKarafAndHotpotCannotBeReplaced() {
        for (String bsn : List.of("system.bundle", "org.apache.felix.framework", "org.apache.karaf.shell.core",
                "org.apache.curator.framework", "io.hotpot.runtime", "org.example.early")) {
            SecurityRefusal e = assertThrows(bsn, SecurityRefusal.class, () -> guard.check(claiming(bsn), "deploy/evil.jar"));
            assertEquals(Reason.CLAIM, e.reason());
            assertTrue(e.getMessage(), e.getMessage().startsWith(bsn + "/9.9.9 refused: "));
        }
    }

    /** Issue 10 item 5: a library Hotpot runs on may be distributed in another version, installed beside it. */
    @Test
    public void anotherVersionOfALibraryHotpotRunsOnIsAllowed() throws Exception {
        guard.check(new ArtifactDescriptor("com.fasterxml.jackson.core.jackson-databind", "2.17.2", "ab".repeat(32), 10), "test");
    }

    /** Issue 10 item 5: the very version the runtime is wired to cannot be replaced; the error names who depends on it. */
    @Test
    public void theVersionHotpotRunsOnCannotBeReplaced() {
        SecurityRefusal e = assertThrows(SecurityRefusal.class, () -> guard.check(new ArtifactDescriptor(
                "com.fasterxml.jackson.core.jackson-databind", "2.18.2", "ab".repeat(32), 10), "test"));
        assertTrue(e.getMessage(), e.getMessage().contains("org.apache.curator.framework 5.9.0 is wired to it"));
    }

    @Test
    public void aBundleHotpotManagesMayStayAtALowStartLevel() throws Exception {
        BundleClaimGuard managing = new BundleClaimGuard(50, bsn -> INSTALLED.getOrDefault(bsn, List.of()),
                "org.example.early"::equals, new SecurityLog("node1"));
        managing.check(claiming("org.example.early"), "test");
        assertThrows(SecurityRefusal.class, () -> managing.check(claiming("io.hotpot.runtime"), "test"));
    }

    @Test
    public void theStartLevelMustNotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> new BundleClaimGuard(-1, b -> List.of(), b -> false,
                new SecurityLog("node1")));
    }
}
