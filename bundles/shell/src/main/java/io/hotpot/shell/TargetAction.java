package io.hotpot.shell;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Base of the commands that act on artifacts. Selection lives here, once: each argument is a
 * bundle id, a symbolic name of an installed bundle (highest version wins), a path to a jar file,
 * or a URL ({@code mvn:}, {@code file:}, {@code http:} ...).
 */
abstract class TargetAction extends RolloutAction {

    @Argument(index = 0, name = "targets", required = true, multiValued = true,
            description = "Bundle id, bundle symbolic name, path to a jar, or URL (mvn:, file:, http:); several jars or URLs roll out as one set")
    @Completion(BundleCompleter.class)
    List<String> targets;

    @Reference
    BundleContext bundleContext;

    /**
     * @return the selected artifacts, in the order given
     * @throws IllegalArgumentException naming the argument when one matches nothing
     */
    List<DistributionTarget> resolveTargets() {
        return targets.stream().map(this::resolveTarget).toList();
    }

    private DistributionTarget resolveTarget(String target) {
        String t = target.trim();
        if (t.matches("\\d+")) {
            long id = Long.parseLong(t);
            if (bundleContext.getBundle(id) == null) {
                throw new IllegalArgumentException("no bundle with id " + id);
            }
            return DistributionTarget.bundle(id);
        }
        Path file = Path.of(t);
        if (Files.isRegularFile(file)) {
            return DistributionTarget.url(file.toAbsolutePath().toUri().toString());
        }
        if (t.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.+")) {
            return DistributionTarget.url(t);
        }
        List<Bundle> named = Arrays.stream(bundleContext.getBundles())
                .filter(b -> t.equals(b.getSymbolicName()))
                .sorted(Comparator.comparing(Bundle::getVersion).reversed())
                .toList();
        if (named.isEmpty()) {
            throw new IllegalArgumentException("'" + t + "' is neither a bundle id, an installed bundle's symbolic name,"
                    + " a file, nor a URL");
        }
        return DistributionTarget.bundle(named.get(0).getBundleId());
    }
}
