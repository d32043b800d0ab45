package io.hotpot.runtime.apply.probe.ds;

/** The same component as {@link DsCounter} after a refactoring renamed its class (and so its default component name). */
public class RenamedCounter extends DsCounter {
}
