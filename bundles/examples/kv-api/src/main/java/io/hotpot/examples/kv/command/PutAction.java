package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code kv:put key value}. */
@Command(scope = "kv", name = "put", description = "Stores a value")
@Service
public class PutAction extends KvAction {

    @Argument(index = 0, name = "key", required = true)
    String key;

    @Argument(index = 1, name = "value", required = true)
    String value;

    @Override
    public Object execute() {
        KeyValueStore store = store();
        store.put(key, value);
        return null;
    }
}
