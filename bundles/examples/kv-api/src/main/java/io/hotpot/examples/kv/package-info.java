/** The example key-value store's service interface, shared by every version of its implementation. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.hotpot.examples.kv;
