package io.hotpot.runtime.security.credentials;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Where the cluster's credentials are, and the node's bounds on remote input: PID
 * {@code io.hotpot.security} (file {@code etc/io.hotpot.security.cfg}, optional). It holds no
 * secret: the credentials live in their own file ({@link SecretsFile}), which Configuration Admin
 * never sees (issue 11 item 5). Sizes are in bytes.
 */
@ObjectClassDefinition(id = "io.hotpot.security", name = "Hotpot security",
        description = "Where the cluster's credentials file is, and bounds on remote input")
public @interface SecurityConfiguration {

    @AttributeDefinition(name = "Credentials file", description = "The cluster's credentials (signing key, trusted keys, ZooKeeper secret), mode 600; empty means ${karaf.etc}/hotpot-credentials.properties")
    String credentials_file() default "";

    @AttributeDefinition(name = "RSA message bound (bytes)", description = "Largest Java-serialized call or answer accepted on the fastbin path")
    long rsa_message_max_bytes() default 2L * 1024 * 1024;

    @AttributeDefinition(name = "Extra RSA classes", description = "Comma-separated class name patterns (a.b.C, a.b.*, a.b.**) that remote calls may carry besides Hotpot's own value types, for applications that export their own services over fastbin")
    String rsa_allowed_classes() default "";
}
