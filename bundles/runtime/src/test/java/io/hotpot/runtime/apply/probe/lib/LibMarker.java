package io.hotpot.runtime.apply.probe.lib;

/** A class of the package a probe library exports, so that a dependent bundle wires to it. */
public final class LibMarker {

    private LibMarker() {
    }
}
