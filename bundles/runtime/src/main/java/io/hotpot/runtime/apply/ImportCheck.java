package io.hotpot.runtime.apply;

import org.osgi.framework.VersionRange;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * A resolver dry run for package imports, done before the gate closes: every mandatory
 * {@code Import-Package} of the new revision must have a provider in this framework now
 * ({@code FrameworkWiring.findProviders}, OSGi Core R8 section 7.7), or be exported by the new
 * revision itself. A bundle that fails here is refused without its old revision being touched.
 * It does not replace the framework's resolution, which still runs at update; it only moves the
 * common failure out of the pause. Stateless and thread-safe.
 */
final class ImportCheck {

    private final FrameworkWiring wiring;

    ImportCheck(FrameworkWiring wiring) {
        this.wiring = wiring;
    }

    /**
     * @return the filters of the mandatory package imports no bundle provides; empty if all resolve
     * @throws IOException if the jar cannot be read
     */
    List<String> unresolvedImports(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return unresolvedImports(file.getManifest().getMainAttributes());
        }
    }

    /** @return as {@link #unresolvedImports(Path)}, for a manifest's main attributes */
    List<String> unresolvedImports(Attributes main) {
        return unresolvedImports(main, Set.of());
    }

    /**
     * @param alsoProvided packages that bundles installed together with this one export (the other
     *                     members of a set): they count as provided, whatever their version, and the
     *                     framework's resolution of the set decides
     * @return as {@link #unresolvedImports(Path)}
     */
    List<String> unresolvedImports(Attributes main, Set<String> alsoProvided) {
        Set<String> ownExports = new HashSet<>(alsoProvided);
        for (HeaderClauses.Clause c : HeaderClauses.parse(main.getValue("Export-Package"))) {
            ownExports.addAll(c.paths());
        }
        List<String> missing = new ArrayList<>();
        for (HeaderClauses.Clause c : HeaderClauses.parse(main.getValue("Import-Package"))) {
            if ("optional".equals(c.directives().get("resolution"))) {
                continue;
            }
            for (String pkg : c.paths()) {
                if (ownExports.contains(pkg) || pkg.startsWith("java.")) {
                    continue;
                }
                String filter = filter(pkg, c.attributes().get("version"));
                if (wiring.findProviders(requirement(filter)).isEmpty()) {
                    missing.add(filter);
                }
            }
        }
        return missing;
    }

    /** @return the packages a manifest's {@code Export-Package} names */
    static Set<String> exportedPackages(Attributes main) {
        Set<String> packages = new HashSet<>();
        for (HeaderClauses.Clause c : HeaderClauses.parse(main.getValue("Export-Package"))) {
            packages.addAll(c.paths());
        }
        return packages;
    }

    /** @return the packages a manifest's {@code Import-Package} names, optional ones included */
    static Set<String> importedPackages(Attributes main) {
        Set<String> packages = new HashSet<>();
        for (HeaderClauses.Clause c : HeaderClauses.parse(main.getValue("Import-Package"))) {
            packages.addAll(c.paths());
        }
        return packages;
    }

    private static String filter(String pkg, String version) {
        String range = version == null ? "" : new VersionRange(version).toFilterString(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE);
        return range.isEmpty() ? "(" + PackageNamespace.PACKAGE_NAMESPACE + "=" + pkg + ")"
                : "(&(" + PackageNamespace.PACKAGE_NAMESPACE + "=" + pkg + ")" + range + ")";
    }

    private static Requirement requirement(String filter) {
        return new Requirement() {
            @Override
            public String getNamespace() {
                return PackageNamespace.PACKAGE_NAMESPACE;
            }

            @Override
            public Map<String, String> getDirectives() {
                return Map.of(Namespace.REQUIREMENT_FILTER_DIRECTIVE, filter);
            }

            @Override
            public Map<String, Object> getAttributes() {
                return Map.of();
            }

            @Override
            public Resource getResource() {
                return null;
            }
        };
    }

}
