package io.hotpot.shell;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import java.util.List;

/** Completes the symbolic names of installed bundles, the framework's own excluded. */
@Service
public class BundleCompleter implements Completer {

    @Reference
    BundleContext bundleContext;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getBundleId() != 0 && b.getSymbolicName() != null) {
                names.getStrings().add(b.getSymbolicName());
            }
        }
        return names.complete(session, commandLine, candidates);
    }
}
