package io.hotpot.runtime.security.credentials;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ClusterKeysTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void generatedSecretsDecodeAndSignForTheirOwnTrustedKey() {
        ClusterSecrets secrets = ClusterSecrets.generate(new SecureRandom());
        ClusterKeys keys = ClusterKeys.decode(secrets);
        assertEquals(1, keys.trustedKeys().size());
        assertTrue(secrets.zookeeperAuth().startsWith("hotpot:"));
        assertFalse("toString must not print secrets", secrets.toString().contains(secrets.signingKey()));
    }

    @Test
    public void twoClustersGetDifferentSecrets() {
        ClusterSecrets a = ClusterSecrets.generate(new SecureRandom());
        ClusterSecrets b = ClusterSecrets.generate(new SecureRandom());
        assertNotEquals(a.signingKey(), b.signingKey());
        assertNotEquals(a.zookeeperAuth(), b.zookeeperAuth());
    }

    @Test
    public void aSigningKeyThatNoTrustedKeyMatchesIsRefused() {
        ClusterSecrets a = ClusterSecrets.generate(new SecureRandom());
        ClusterSecrets b = ClusterSecrets.generate(new SecureRandom());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterKeys.decode(new ClusterSecrets(a.signingKey(), b.trustedKeys(), a.zookeeperAuth())));
        assertTrue(e.getMessage(), e.getMessage().contains("signing.key matches none of the 1 trusted.keys"));
    }

    @Test
    public void rotationTrustsTheNextKeyBesideTheCurrentOne() {
        ClusterSecrets current = ClusterSecrets.generate(new SecureRandom());
        ClusterSecrets next = ClusterSecrets.generate(new SecureRandom());
        List<String> both = new ArrayList<>(current.trustedKeys());
        both.addAll(next.trustedKeys());
        assertEquals(2, ClusterKeys.decode(new ClusterSecrets(next.signingKey(), both, current.zookeeperAuth()))
                .trustedKeys().size());
    }

    @Test
    public void badKeyMaterialIsNamed() {
        ClusterSecrets good = ClusterSecrets.generate(new SecureRandom());
        IllegalArgumentException notBase64 = assertThrows(IllegalArgumentException.class, () -> ClusterKeys.decode(
                new ClusterSecrets("%%%", good.trustedKeys(), good.zookeeperAuth())));
        assertTrue(notBase64.getMessage(), notBase64.getMessage().startsWith("signing.key is not base64"));
        IllegalArgumentException notAKey = assertThrows(IllegalArgumentException.class, () -> ClusterKeys.decode(
                new ClusterSecrets(good.signingKey(), List.of(good.trustedKeys().get(0), "AAAA"), good.zookeeperAuth())));
        assertTrue(notAKey.getMessage(), notAKey.getMessage().startsWith("trusted.keys[1] is not an Ed25519 X.509 public key"));
    }

    @Test
    public void theFileIsCreatedOnceOwnerOnlyAndReadableAsConfiguration() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("etc/hotpot-credentials.properties");
        SecretsFile secrets = new SecretsFile(file);
        assertTrue(secrets.createIfAbsent(new SecureRandom()));
        String first = Files.readString(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse("an existing file is never replaced", secrets.createIfAbsent(new SecureRandom()));
        assertEquals(first, Files.readString(file));

        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        }
        ClusterSecrets read = new ClusterSecrets(p.getProperty("signing.key"), List.of(p.getProperty("trusted.keys").split(",")),
                p.getProperty("zookeeper.auth"));
        ClusterKeys.decode(read);
        new ZooKeeperCredentials(read.zookeeperAuth());
        try (var files = Files.list(file.getParent())) {
            assertEquals("no temporary file is left", 1, files.count());
        }
    }

    @Test
    public void zookeeperCredentialsNeedUserAndALongSecret() {
        assertThrows(IllegalArgumentException.class, () -> new ZooKeeperCredentials("hotpot"));
        assertThrows(IllegalArgumentException.class, () -> new ZooKeeperCredentials(":0123456789abcdef"));
        assertThrows(IllegalArgumentException.class, () -> new ZooKeeperCredentials("hotpot:short"));
        ZooKeeperCredentials c = new ZooKeeperCredentials("hotpot:0123456789abcdef");
        assertEquals("hotpot", c.user());
        assertFalse(c.toString().contains("0123456789abcdef"));
        assertEquals("digest", c.acl().get(0).getId().getScheme());
        assertTrue(c.acl().get(0).getId().getId().startsWith("hotpot:"));
    }
}
