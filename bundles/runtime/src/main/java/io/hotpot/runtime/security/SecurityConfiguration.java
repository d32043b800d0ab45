package io.hotpot.runtime.security;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The cluster's credentials and the node's bounds on remote input, PID {@code io.hotpot.security}
 * (file {@code etc/io.hotpot.security.cfg}, mode 600). Every node of a cluster holds the same
 * credentials, because any node may become the leader and sign. Sizes are in bytes.
 */
@ObjectClassDefinition(id = "io.hotpot.security", name = "Hotpot security",
        description = "Cluster signing key, trusted keys, ZooKeeper credentials and bounds on remote input")
public @interface SecurityConfiguration {

    @AttributeDefinition(name = "Signing key", description = "The cluster's Ed25519 private key, base64 of its PKCS#8 encoding")
    String signing_key() default "";

    @AttributeDefinition(name = "Trusted keys", description = "Ed25519 public keys whose signatures are accepted, base64 of their X.509 encoding, comma-separated; the signing key's own first")
    String trusted_keys() default "";

    @AttributeDefinition(name = "ZooKeeper credentials", description = "user:secret for ZooKeeper digest authentication; every Hotpot znode is readable and writable by this identity only")
    String zookeeper_auth() default "";

    @AttributeDefinition(name = "RSA message bound (bytes)", description = "Largest Java-serialized call or answer accepted on the fastbin path")
    long rsa_message_max_bytes() default 2L * 1024 * 1024;

    @AttributeDefinition(name = "Extra RSA classes", description = "Comma-separated class name patterns (a.b.C, a.b.*, a.b.**) that remote calls may carry besides Hotpot's own value types, for applications that export their own services over fastbin")
    String rsa_allowed_classes() default "";
}
