package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code kv:get key}: prints the entry in the running version's shape. */
@Command(scope = "kv", name = "get", description = "Prints an entry as the running store version holds it")
@Service
public class GetAction extends KvAction {

    @Argument(index = 0, name = "key", required = true)
    String key;

    @Override
    public Object execute() {
        KeyValueStore store = store();
        String entry = store.describe(key);
        System.out.println(entry == null ? "(absent)" : entry);
        return null;
    }
}
