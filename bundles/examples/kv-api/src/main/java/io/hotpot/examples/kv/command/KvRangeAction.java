package io.hotpot.examples.kv.command;

import org.apache.karaf.shell.api.action.Option;

/** Base of the commands that act on the entries {@code <prefix>0 .. <prefix>(count-1)}. */
abstract class KvRangeAction extends KvAction {

    @Option(name = "--count", description = "Number of entries")
    int count = 1000;

    @Option(name = "--prefix", description = "Key prefix")
    String prefix = "key-";

    @Option(name = "--value-prefix", description = "Value prefix")
    String valuePrefix = "value-";
}
