package io.hotpot.runtime.apply.probe.api;

/** A second service interface of the probe bundles, for services a new version adds. */
public interface Greeter {

    /** @return a greeting naming the revision that serves it */
    String greet();
}
