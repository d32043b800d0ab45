package io.hotpot.shell;

import io.hotpot.api.ApplyPreview;
import org.apache.karaf.shell.support.table.ShellTable;

import java.io.PrintStream;
import java.util.List;

/** The per-node table of a dry run ({@code --dry-run} of {@code hot:distribute} and {@code hot:undeploy}), and its verdict. */
final class PreviewTable {

    private PreviewTable() {
    }

    static void report(List<ApplyPreview> previews, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Node");
        table.column("Change");
        table.column("Running");
        table.column("Version");
        table.column("Refreshed");
        table.column("Services");
        for (ApplyPreview p : previews) {
            table.addRow().addContent(p.nodeId(), p.change(), Format.orDash(p.runningVersion()), p.artifact().version(),
                    p.refreshed().isEmpty() ? "-" : String.join(", ", p.refreshed()),
                    p.services().isEmpty() ? "-" : String.join(", ", p.services()));
        }
        table.print(out);
        for (ApplyPreview p : previews) {
            out.println(p.nodeId() + ": " + p.change() + ": " + p.reason());
        }
        out.println(verdict(previews));
    }

    static String verdict(List<ApplyPreview> previews) {
        long ahead = previews.stream().filter(p -> p.change().goesAhead()).count();
        List<String> refusing = previews.stream().filter(p -> p.change() == ApplyPreview.Change.REFUSE)
                .map(ApplyPreview::nodeId).toList();
        List<String> unreachable = previews.stream().filter(p -> p.change() == ApplyPreview.Change.UNREACHABLE)
                .map(ApplyPreview::nodeId).toList();
        String what = previews.isEmpty() ? "nothing" : previews.get(0).artifact().coordinates() + " sha256 "
                + Format.digest(previews.get(0).artifact().sha256());
        return "DRY RUN of " + what + ", nothing changed: " + ahead + "/" + previews.size() + " nodes would go ahead"
                + (refusing.isEmpty() ? "" : "; " + refusing + " would refuse it, so the rollout would halt before "
                + "anything was applied")
                + (unreachable.isEmpty() ? "" : "; " + unreachable + " could not be asked");
    }
}
