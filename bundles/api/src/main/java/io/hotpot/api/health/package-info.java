/**
 * The optional health check a managed bundle may register, which Hotpot's health gate asks after
 * every swap.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package io.hotpot.api.health;
