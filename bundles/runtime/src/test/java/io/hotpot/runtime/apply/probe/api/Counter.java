package io.hotpot.runtime.apply.probe.api;

/** The service of the probe bundles: a counter whose value is the state a swap must carry. */
public interface Counter {

    /** @return the value after adding one */
    int increment();

    /** @return the current value */
    int value();

    /** @return the Bundle-Version of the revision that serves this call */
    String version();
}
