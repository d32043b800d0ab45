/**
 * The wire contract between Hotpot nodes: the remote {@link io.hotpot.api.FollowerService} that the
 * leader calls through Aries Remote Service Admin, and the immutable values it carries.
 *
 * <p>Every type here crosses the network by Java serialization (the Aries RSA fastbin provider), so
 * each value is a {@code Serializable} record of JDK types only.
 */
@org.osgi.annotation.versioning.Version("0.3.0")
package io.hotpot.api;
