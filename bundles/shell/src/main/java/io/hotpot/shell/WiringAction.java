package io.hotpot.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleRevisions;
import org.osgi.framework.wiring.FrameworkWiring;

import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * {@code hot:wiring}: the bundles of this node that still have a revision pending removal, from
 * {@link FrameworkWiring#getRemovalPendingBundles()} (OSGi Core R8, 10.3.3 Framework Wiring): a
 * revision that an update replaced but that other bundles are still wired to, until a refresh. After
 * every Hotpot swap there should be none; one listed here keeps the old class loader, and with it the
 * old code, alive. Local: it reads this node's framework only.
 */
@Command(scope = "hot", name = "wiring",
        description = "Lists this node's bundles whose old revisions are still pending removal (none after a clean swap)")
@Service
public class WiringAction implements Action {

    @Reference
    BundleContext context;

    @Override
    public Object execute() {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        Collection<Bundle> pending = wiring.getRemovalPendingBundles();
        if (!pending.isEmpty()) {
            ShellTable table = new ShellTable();
            table.column("ID");
            table.column("Symbolic name");
            table.column("Version");
            table.column("Revisions");
            pending.stream().sorted(Comparator.comparingLong(Bundle::getBundleId)).forEach(b -> table.addRow()
                    .addContent(b.getBundleId(), b.getSymbolicName(), b.getVersion(), revisions(b)));
            table.print(System.out);
        }
        System.out.println("Removal pending: " + (pending.isEmpty() ? "none" : pending.size() + " bundles"));
        return null;
    }

    /** @return the versions of the bundle's revisions in use, newest first */
    private static String revisions(Bundle b) {
        BundleRevisions revisions = b.adapt(BundleRevisions.class);
        return revisions == null ? "-" : revisions.getRevisions().stream().map(BundleRevision::getVersion)
                .map(Object::toString).collect(Collectors.joining(", "));
    }
}
