package io.hotpot.runtime.apply.probe.ds;

import io.hotpot.runtime.apply.probe.api.Greeter;

/** A service a later DS probe version adds. */
public class DsGreeter implements Greeter {

    @Override
    public String greet() {
        return "hello from " + getClass().getSimpleName();
    }
}
