package io.hotpot.runtime.apply.probe.ds;

import io.hotpot.runtime.apply.probe.api.Counter;

import java.util.concurrent.atomic.AtomicInteger;

/** A Declarative Services component implementation of {@link Counter}, for the DS probe bundles. */
public class DsCounter implements Counter {

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public int increment() {
        return count.incrementAndGet();
    }

    @Override
    public int value() {
        return count.get();
    }

    @Override
    public String version() {
        return getClass().getSimpleName();
    }
}
