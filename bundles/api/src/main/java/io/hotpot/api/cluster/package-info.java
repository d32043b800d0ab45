/**
 * The local administration service of a Hotpot node, used by the {@code hot:*} console commands
 * and the {@code deploy/} trigger.
 */
@org.osgi.annotation.versioning.Version("0.2.0")
package io.hotpot.api.cluster;
