package io.hotpot.runtime.security.credentials;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The validated, immutable form of {@link SecurityConfiguration} and the credentials file: decoded keys, ZooKeeper
 * credentials and the bounds on remote input (bytes). Thread-safe.
 *
 * @param keys               the cluster's signing key and trusted keys
 * @param zookeeper          the ZooKeeper identity and ACL
 * @param rsaMessageMaxBytes the largest serialized remote call or answer, in bytes
 * @param rsaAllowedClasses  extra class name patterns remote calls may carry
 */
public record SecuritySettings(ClusterKeys keys, ZooKeeperCredentials zookeeper, long rsaMessageMaxBytes,
                               List<String> rsaAllowedClasses) {

    /** Room for the call's framing, ids and offsets around a chunk's bytes. */
    public static final int CALL_OVERHEAD_BYTES = 64 * 1024;

    /** @throws IllegalArgumentException naming the key whose value is unusable */
    public SecuritySettings {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(zookeeper, "zookeeper");
        rsaAllowedClasses = List.copyOf(rsaAllowedClasses);
        if (rsaMessageMaxBytes <= CALL_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("rsa.message.max.bytes must be > " + CALL_OVERHEAD_BYTES + ": "
                    + rsaMessageMaxBytes);
        }
    }

    /**
     * @param c       the bounds, as Configuration Admin delivered them
     * @param secrets the cluster's credentials, as read from their file
     * @throws IllegalArgumentException if a credential or a bound is unusable, naming its key; the
     *                                  message never contains a secret
     */
    public static SecuritySettings from(SecurityConfiguration c, ClusterSecrets secrets) {
        ClusterKeys keys = ClusterKeys.decode(secrets);
        List<String> allowed = Arrays.stream(c.rsa_allowed_classes().split(",")).map(String::trim)
                .filter(p -> !p.isEmpty()).toList();
        return new SecuritySettings(keys, new ZooKeeperCredentials(secrets.zookeeperAuth()), c.rsa_message_max_bytes(),
                allowed);
    }

    /**
     * @param chunkSizeBytes the node's {@code chunk.size.bytes}
     * @throws IllegalArgumentException if a chunk and its call's overhead do not fit one message
     */
    public void requireFits(int chunkSizeBytes) {
        if ((long) chunkSizeBytes + CALL_OVERHEAD_BYTES > rsaMessageMaxBytes) {
            throw new IllegalArgumentException("chunk.size.bytes=" + chunkSizeBytes + " plus " + CALL_OVERHEAD_BYTES
                    + " bytes of call overhead exceeds io.hotpot.security rsa.message.max.bytes=" + rsaMessageMaxBytes);
        }
    }
}
