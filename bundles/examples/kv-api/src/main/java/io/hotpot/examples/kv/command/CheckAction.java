package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code kv:check}: re-reads the entries written by {@code kv:fill} and prints one line that
 * scripts and tests parse: {@code checked=N present=N wrong=N missing=N schema=S inShape=N size=N}.
 */
@Command(scope = "kv", name = "check", description = "Verifies the entries written by kv:fill and their shape")
@Service
public class CheckAction extends KvRangeAction {

    @Override
    public Object execute() {
        KeyValueStore store = store();
        int present = 0;
        int wrong = 0;
        int inShape = 0;
        int schema = store.schemaVersion();
        for (int i = 0; i < count; i++) {
            String value = store.get(prefix + i);
            if (value == null) {
                continue;
            }
            present++;
            if (!value.equals(valuePrefix + i)) {
                wrong++;
            }
            String entry = store.describe(prefix + i);
            if (entry != null && (schema == 1 ? !entry.contains(";writes=") : entry.matches(".*;writes=[1-9][0-9]*;updatedAt=[0-9]+"))) {
                inShape++;
            }
        }
        System.out.println("checked=" + count + " present=" + present + " wrong=" + wrong + " missing=" + (count - present)
                + " schema=" + schema + " inShape=" + inShape + " size=" + store.size());
        return null;
    }
}
