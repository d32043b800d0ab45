package io.hotpot.runtime.security.credentials;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cluster's shared secrets as they are written to {@code etc/hotpot-credentials.properties}: like
 * Erlang's {@code .erlang.cookie}, every node of the cluster holds the same values. Immutable and
 * thread-safe. The values are secret: {@link #toString()} does not print them.
 *
 * @param signingKey    the Ed25519 private key, base64 of its PKCS#8 encoding
 * @param trustedKeys   Ed25519 public keys, base64 of their X.509 encoding; the signing key's own first
 * @param zookeeperAuth {@code user:secret} for ZooKeeper digest authentication
 */
public record ClusterSecrets(String signingKey, List<String> trustedKeys, String zookeeperAuth) {

    /** Keys of the credentials file ({@link SecretsFile}). */
    public static final String SIGNING_KEY = "signing.key";
    public static final String TRUSTED_KEYS = "trusted.keys";
    public static final String ZOOKEEPER_AUTH = "zookeeper.auth";

    /** The ZooKeeper digest user every generated cluster uses; the secret is what differs. */
    public static final String ZOOKEEPER_USER = "hotpot";

    /** @throws IllegalArgumentException if a value is missing */
    public ClusterSecrets {
        Objects.requireNonNull(signingKey, SIGNING_KEY);
        Objects.requireNonNull(trustedKeys, TRUSTED_KEYS);
        Objects.requireNonNull(zookeeperAuth, ZOOKEEPER_AUTH);
        trustedKeys = List.copyOf(trustedKeys);
        if (signingKey.isBlank() || trustedKeys.isEmpty() || zookeeperAuth.isBlank()) {
            throw new IllegalArgumentException(SIGNING_KEY + ", " + TRUSTED_KEYS + " and " + ZOOKEEPER_AUTH
                    + " must all be set");
        }
    }

    /**
     * Generates new secrets for a new cluster: an Ed25519 key pair and a 256-bit ZooKeeper secret.
     *
     * @param random the source of randomness, e.g. {@code new SecureRandom()}
     * @return the secrets
     * @throws IllegalStateException if the JDK has no Ed25519 (every JDK 15+ has)
     */
    public static ClusterSecrets generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, random);
            KeyPair pair = generator.generateKeyPair();
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            Base64.Encoder b64 = Base64.getEncoder();
            return new ClusterSecrets(b64.encodeToString(pair.getPrivate().getEncoded()),
                    List.of(b64.encodeToString(pair.getPublic().getEncoded())),
                    ZOOKEEPER_USER + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
        }
    }

    /** @return the ConfigAdmin properties, in file order */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(SIGNING_KEY, signingKey);
        p.put(TRUSTED_KEYS, String.join(",", trustedKeys));
        p.put(ZOOKEEPER_AUTH, zookeeperAuth);
        return p;
    }

    @Override
    public String toString() {
        return "ClusterSecrets[" + trustedKeys.size() + " trusted keys, zookeeper user "
                + zookeeperAuth.split(":", 2)[0] + "]";
    }
}
