package io.hotpot.runtime.security;

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
            "org.apache.felix.framework", List.of(new InstalledBundle(0, "org.apache.felix.framework", "System Bundle", 0, false)),
            "org.apache.karaf.shell.core", List.of(new InstalledBundle(40, "org.apache.karaf.shell.core", "mvn:org.apache.karaf.shell/org.apache.karaf.shell.core/4.4.10", 30, false)),
            "org.apache.curator.framework", List.of(new InstalledBundle(29, "org.apache.curator.framework", "mvn:curator-framework", 80, true)),
            "io.hotpot.runtime", List.of(new InstalledBundle(33, "io.hotpot.runtime", "mvn:io.hotpot/hotpot-runtime", 80, true)),
            "org.example.app", List.of(new InstalledBundle(90, "org.example.app", "mvn:org.example/app/1.0", 80, false)),
            "org.example.managed", List.of(new InstalledBundle(91, "org.example.managed", "hotpot:org.example.managed", 81, false)),
            "org.example.early", List.of(new InstalledBundle(92, "org.example.early", "mvn:org.example/early/1.0", 50, false)));

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
