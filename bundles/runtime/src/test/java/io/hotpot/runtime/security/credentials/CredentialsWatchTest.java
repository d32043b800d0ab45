package io.hotpot.runtime.security.credentials;

import io.hotpot.runtime.security.SecurityLog;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * Issue 11 item 5: the credentials live in a file of their own, outside Configuration Admin, which
 * the node reads itself: refused when others may read it, acted on when it changed and is stable,
 * and a broken content never takes away the credentials the node runs on.
 */
public class CredentialsWatchTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<ClusterSecrets> published = new ArrayList<>();
    private CredentialsWatch watch;

    @After
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }

    private CredentialsWatch watch(SecretsFile file) {
        // A poll interval no test waits for: the test drives poll() itself.
        watch = new CredentialsWatch(file, 3_600_000, c -> published.add(c.secrets()), new SecurityLog("test-node"));
        return watch;
    }

    @Test
    public void aFileOthersMayReadIsRefusedNamingItsMode() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("hotpot-credentials.properties");
        SecretsFile file = new SecretsFile(path);
        file.createIfAbsent(new SecureRandom());
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, file::read);
        assertTrue(e.getMessage(), e.getMessage().contains("(rw-r--r--)") && e.getMessage().contains("chmod 600"));

        // The watch does not hand it over, and does once it is chmod 600 (and stable).
        assertEquals(false, watch(file).start());
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        watch.poll();
        assertEquals("a change is acted on once it is stable", 0, published.size());
        watch.poll();
        assertEquals(1, published.size());
        assertEquals(file.read(), published.get(0));
    }

    @Test
    public void aStableNewContentIsHandedOverAndABrokenOneIsIgnored() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("hotpot-credentials.properties");
        SecretsFile file = new SecretsFile(path);
        file.createIfAbsent(new SecureRandom());
        ClusterSecrets first = file.read();
        assertTrue(watch(file).start());
        assertEquals(List.of(first), published);
        watch.poll();
        assertEquals("an unchanged file is not handed over again", 1, published.size());

        // A rotation: the operator replaces the file.
        Files.delete(path);
        file.createIfAbsent(new SecureRandom());
        ClusterSecrets second = file.read();
        watch.poll();
        watch.poll();
        assertEquals(List.of(first, second), published);

        // A broken edit (a key cut short) is reported and ignored: the node keeps running on the second.
        String text = Files.readString(path);
        Files.writeString(path, text.replaceFirst("signing.key = (.{10}).*", "signing.key = $1"));
        watch.poll();
        watch.poll();
        watch.poll();
        assertEquals(List.of(first, second), published);
    }

    @Test
    public void aMissingKeyIsNamed() throws Exception {
        Path path = tmp.getRoot().toPath().resolve("hotpot-credentials.properties");
        Files.writeString(path, "signing.key = x\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, new SecretsFile(path)::read);
        assertTrue(e.getMessage(), e.getMessage().contains("must set signing.key, trusted.keys and zookeeper.auth"));
    }
}
