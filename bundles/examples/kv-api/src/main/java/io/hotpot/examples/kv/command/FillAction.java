package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code kv:fill}: writes {@code prefix0..prefixN-1} with values {@code value-prefix0..}. */
@Command(scope = "kv", name = "fill", description = "Writes count entries <prefix><i> = <value-prefix><i>")
@Service
public class FillAction extends KvRangeAction {

    @Override
    public Object execute() {
        KeyValueStore store = store();
        for (int i = 0; i < count; i++) {
            store.put(prefix + i, valuePrefix + i);
        }
        System.out.println("wrote " + count + " entries, store size " + store.size());
        return null;
    }
}
