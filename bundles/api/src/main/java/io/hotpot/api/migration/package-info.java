/**
 * The state-migration service interface: how a bundle carries its in-memory state from one of its
 * versions to another across a Hotpot update, the way an Erlang process's {@code code_change/3}
 * converts its state.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package io.hotpot.api.migration;
