package io.hotpot.runtime.security.credentials;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;

/**
 * The file {@code etc/hotpot-credentials.properties}: the cluster's credentials, written once per
 * cluster, readable by its owner only (mode 600), never overwritten by a node. It is not a
 * {@code .cfg} file on purpose: Karaf's FileInstall would hand it to Configuration Admin, which keeps
 * its own copy under {@code data/} with default permissions and shows it through its JMX MBean to
 * the {@code viewer} role (issue 11 item 5). Also a command-line program, so that
 * {@code hotpot-cluster.sh} creates a cluster's file with the same code as a node that starts
 * without one:
 * <pre>
 *   java -cp hotpot-runtime.jar io.hotpot.runtime.security.credentials.SecretsFile FILE
 * </pre>
 * which creates FILE with new secrets unless it exists, and exits 0 in both cases.
 *
 * <p>Thread-safe: creation is atomic (a complete temporary file linked into place, never replacing).
 */
public final class SecretsFile {

    private final Path file;

    /** The file's name in {@code ${karaf.etc}}, unless {@code io.hotpot.security} names another. */
    public static final String FILE_NAME = "hotpot-credentials.properties";

    /** @param file where the secrets live, e.g. {@code ${karaf.etc}/hotpot-credentials.properties} */
    public SecretsFile(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /**
     * Writes new secrets unless the file exists.
     *
     * @param random the source of randomness for the keys
     * @return whether this call created the file
     * @throws IOException if the file cannot be written
     */
    public boolean createIfAbsent(SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".hotpot-security", ".tmp");
        try {
            // Restrict before the secret is written, so it is never readable by others, not even briefly.
            PosixFileAttributeView posix = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            if (posix != null) {
                posix.setPermissions(PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(tmp, render(ClusterSecrets.generate(random)));
            try {
                // A hard link fails atomically if the file exists: two nodes (or a node and the
                // script) creating it at once cannot overwrite each other's keys.
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, file);
            }
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads the credentials. Refused, as OpenSSH refuses a private key others can read, if the
     * file grants any permission to its group or to others: a node does not run on secrets that
     * other users of the machine may have copied.
     *
     * @return the secrets
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException naming the file and the problem (its mode, a missing key),
     *                                  never a secret's value
     */
    public ClusterSecrets read() throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = posix.readAttributes().permissions();
            String mode = PosixFilePermissions.toString(perms);
            if (!mode.substring(3).equals("------")) {
                throw new IllegalArgumentException(file + " is readable or writable by users other than its owner ("
                        + mode + "): it holds the cluster's secrets; chmod 600 it");
            }
        }
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        String signing = p.getProperty(ClusterSecrets.SIGNING_KEY, "").trim();
        String trusted = p.getProperty(ClusterSecrets.TRUSTED_KEYS, "").trim();
        String auth = p.getProperty(ClusterSecrets.ZOOKEEPER_AUTH, "").trim();
        if (signing.isEmpty() || trusted.isEmpty() || auth.isEmpty()) {
            throw new IllegalArgumentException(file + " must set " + ClusterSecrets.SIGNING_KEY + ", "
                    + ClusterSecrets.TRUSTED_KEYS + " and " + ClusterSecrets.ZOOKEEPER_AUTH
                    + " (copy it from another node of the cluster)");
        }
        return new ClusterSecrets(signing, java.util.Arrays.stream(trusted.split(",")).map(String::trim)
                .filter(k -> !k.isEmpty()).toList(), auth);
    }

    private static String render(ClusterSecrets secrets) {
        StringBuilder out = new StringBuilder()
                .append("# Hotpot cluster credentials. Secret: keep this file mode 600 (a node refuses it otherwise).\n")
                .append("# Not a .cfg file, so that Configuration Admin keeps no copy; a node reads it itself and\n")
                .append("# restarts on its new values within seconds of a change.\n")
                .append("# Every node of the cluster needs this same file in its etc/ (any node may become leader).\n")
                .append("# trusted.keys: comma-separated; add the next key here on every node before rotating signing.key.\n");
        for (Map.Entry<String, String> e : secrets.toProperties().entrySet()) {
            out.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
        }
        return out.toString();
    }

    /**
     * Creates the file named by the only argument unless it exists.
     *
     * @param args one path
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp hotpot-runtime.jar " + SecretsFile.class.getName() + " FILE");
            System.exit(2);
        }
        SecretsFile secrets = new SecretsFile(Path.of(args[0]));
        boolean created = secrets.createIfAbsent(new SecureRandom());
        System.out.println((created ? "created " : "kept existing ") + secrets.file());
    }
}
