package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** Base of the kv:* commands: the store they act on, whichever version of it runs now. */
abstract class KvAction implements Action {

    @Reference
    KeyValueStore store;
}
