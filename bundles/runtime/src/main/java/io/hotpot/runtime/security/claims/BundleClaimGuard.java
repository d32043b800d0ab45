package io.hotpot.runtime.security.claims;

import io.hotpot.runtime.security.SecurityLog;
import io.hotpot.runtime.security.SecurityRefusal;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.runtime.artifact.ArtifactPolicy;
import io.hotpot.runtime.artifact.InvalidArtifactException;
import io.hotpot.runtime.security.SecurityRefusal.Reason;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides whether an artifact may take the place of the bundles that already carry its symbolic
 * name, so that a jar cannot replace the framework, Karaf or Hotpot by claiming their name. An
 * artifact may replace a bundle that Hotpot manages, and may install a name nobody has. It may
 * never replace:
 * <ul>
 *   <li>the system bundle;</li>
 *   <li>Hotpot's own bundles, and Aries RSA's, which carry every remote call and endpoint;</li>
 *   <li>a bundle Hotpot's runtime is wired to (Curator, ZooKeeper, Aries RSA, Jackson, Guava ...)
 *       by a version that runs now: the framework cannot install one symbolic name and version
 *       twice, and replacing it would replace what Hotpot runs on;</li>
 *   <li>a bundle at a start level at or below {@code karaf.systemBundlesStartLevel} (Karaf's own).</li>
 * </ul>
 * Any other installed bundle (an application bundle, e.g. installed by a feature) is adopted: that
 * is what {@code hot:distribute <symbolic name>} is for. Another version of a library Hotpot runs
 * on is allowed: it is installed beside the runtime's copy (OSGi Core R8, 4.4.1: several versions of
 * one symbolic name may be installed), and the user's bundles wire to it.
 *
 * <p>Thread-safe if its functions are.
 */
public final class BundleClaimGuard {

    /** Karaf's default {@code karaf.systemBundlesStartLevel}. */
    public static final int KARAF_DEFAULT_SYSTEM_START_LEVEL = 50;

    private final int systemBundlesStartLevel;
    private final Function<String, List<InstalledBundle>> installed;
    private final Predicate<String> managed;
    private final SecurityLog log;

    /**
     * @param systemBundlesStartLevel bundles at this start level or below are Karaf's and protected
     * @param installed               the bundles installed now with a given symbolic name
     * @param managed                 whether Hotpot manages the bundle of a given symbolic name
     * @param log                     where refusals are logged
     * @throws IllegalArgumentException if the start level is negative
     */
    public BundleClaimGuard(int systemBundlesStartLevel, Function<String, List<InstalledBundle>> installed,
                            Predicate<String> managed, SecurityLog log) {
        if (systemBundlesStartLevel < 0) {
            throw new IllegalArgumentException("systemBundlesStartLevel < 0: " + systemBundlesStartLevel);
        }
        this.systemBundlesStartLevel = systemBundlesStartLevel;
        this.installed = Objects.requireNonNull(installed, "installed");
        this.managed = Objects.requireNonNull(managed, "managed");
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * @return this guard as the policy an {@link io.hotpot.runtime.artifact.ArtifactInspector} applies: a
     *         refusal becomes an {@link InvalidArtifactException} whose cause is the {@link SecurityRefusal}
     *         ({@link Reason#CLAIM})
     */
    public ArtifactPolicy asPolicy() {
        return (artifact, name) -> {
            try {
                check(artifact, name);
            } catch (SecurityRefusal e) {
                throw new InvalidArtifactException(name + ": " + e.getMessage(), e);
            }
        };
    }

    /**
     * @param artifact the artifact about to be distributed or applied
     * @param source   where it came from, for the security log (a file, a URL, a node)
     * @throws SecurityRefusal ({@link Reason#CLAIM}) naming the protected bundle it would replace
     */
    public void check(ArtifactDescriptor artifact, String source) throws SecurityRefusal {
        String bsn = artifact.symbolicName();
        if ("system.bundle".equals(bsn)) {
            throw refuse(artifact, source, "'system.bundle' names the framework");
        }
        boolean isManaged = managed.test(bsn);
        for (InstalledBundle b : installed.apply(bsn)) {
            if (b.id() == 0) {
                throw refuse(artifact, source, "it claims the symbolic name of the system bundle");
            }
            if (b.hotpotPart() && b.requiredBy() == null) {
                throw refuse(artifact, source, "it claims the symbolic name of bundle " + b.id()
                        + ", part of Hotpot's own runtime");
            }
            // Karaf's own bundles first: not even beside them, whoever depends on them.
            if (!isManaged && !b.location().startsWith("hotpot:") && b.startLevel() <= systemBundlesStartLevel) {
                throw refuse(artifact, source, "it claims the symbolic name of bundle " + b.id() + " ("
                        + b.location() + "), a system bundle at start level " + b.startLevel()
                        + " <= karaf.systemBundlesStartLevel=" + systemBundlesStartLevel);
            }
            if (b.hotpotPart()) {
                if (b.version().equals(artifact.version())) {
                    throw refuse(artifact, source, "it would replace bundle " + b.id() + " (" + bsn + " " + b.version()
                            + "), which Hotpot's runtime runs on: " + b.requiredBy() + " is wired to it; another "
                            + "version of " + bsn + " is installed beside it");
                }
                // Installed beside the runtime's copy, which stays as it is.
                continue;
            }
        }
    }

    private SecurityRefusal refuse(ArtifactDescriptor artifact, String source, String why) {
        log.refused(artifact.coordinates() + " sha256 " + artifact.shortDigest(), source, why);
        return new SecurityRefusal(Reason.CLAIM, artifact.coordinates() + " refused: " + why);
    }
}
