package io.hotpot.runtime.security.credentials;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The identity a node presents to ZooKeeper ({@code digest} scheme, {@code user:secret}) and the
 * ACL it puts on every znode it creates: all permissions for that identity, none for anyone else.
 * So a client without the cluster's credentials can neither read nor write Hotpot's desired state,
 * its membership or its leader latch. Immutable and thread-safe; {@link #toString()} hides the secret.
 */
public final class ZooKeeperCredentials {

    /** ZooKeeper's digest authentication scheme. */
    public static final String SCHEME = "digest";

    private final String user;
    private final byte[] auth;
    private final List<ACL> acl;

    /**
     * @param userColonSecret {@code user:secret}, as in {@code zookeeper.auth}
     * @throws IllegalArgumentException if it is not {@code user:secret} with both parts non-blank,
     *                                  or the secret is shorter than 16 characters
     */
    public ZooKeeperCredentials(String userColonSecret) {
        Objects.requireNonNull(userColonSecret, ClusterSecrets.ZOOKEEPER_AUTH);
        String value = userColonSecret.trim();
        int colon = value.indexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(ClusterSecrets.ZOOKEEPER_AUTH + " must be user:secret");
        }
        if (value.length() - colon - 1 < 16) {
            throw new IllegalArgumentException(ClusterSecrets.ZOOKEEPER_AUTH + ": the secret must have at least 16 characters");
        }
        this.user = value.substring(0, colon);
        this.auth = value.getBytes(StandardCharsets.UTF_8);
        try {
            // The same user:base64(sha1(user:secret)) form the server computes on addAuthInfo.
            // Not List.of: ZooKeeper checks acl.contains(null), which List.of answers with a NullPointerException.
            this.acl = Collections.singletonList(
                    new ACL(ZooDefs.Perms.ALL, new Id(SCHEME, DigestAuthenticationProvider.generateDigest(value))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-1, which ZooKeeper's digest scheme needs", e);
        }
    }

    /** @return the user name, without the secret */
    public String user() {
        return user;
    }

    /** @return the bytes for {@code CuratorFrameworkFactory.Builder.authorization(SCHEME, ...)}; a copy */
    public byte[] authBytes() {
        return auth.clone();
    }

    /** @return the ACL of every Hotpot znode: all permissions for this identity only */
    public List<ACL> acl() {
        return acl;
    }

    /** @return a Curator ACL provider that gives every path {@link #acl()} */
    public ACLProvider aclProvider() {
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    @Override
    public String toString() {
        return "ZooKeeperCredentials[" + SCHEME + ":" + user + "]";
    }
}
