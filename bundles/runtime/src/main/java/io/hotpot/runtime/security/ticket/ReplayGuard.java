package io.hotpot.runtime.security.ticket;

import io.hotpot.runtime.security.SecurityRefusal;

import io.hotpot.api.RolloutTicket;
import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.osgi.framework.Version;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Refuses old, validly signed rollout tickets presented again: per symbolic name it keeps the
 * newest ticket this node accepted (sequence, version, digest) in
 * {@code <data.dir>/security/accepted.properties}, so the guard survives restarts.
 *
 * <p>A ticket is admitted if its sequence is newer than the last accepted one for its symbolic
 * name, or if it is that very ticket again (a retry or a convergence pass, same sequence and same
 * bytes). An older sequence is a replay. A newer ticket that goes to a lower version is a downgrade
 * and is admitted only when the leader flagged it as a rollback ({@code hot:rollback}, or a
 * deliberate downgrade); the flag is covered by the signature, so only the leader can set it, and a
 * replayed old rollback ticket still fails on its old sequence.
 *
 * <p>Thread-safe: checks and records are serialized on the guard.
 */
public final class ReplayGuard {

    private record Accepted(long sequence, String version, String sha256) {
    }

    private final Path file;
    private final Map<String, Accepted> accepted = new HashMap<>();

    /**
     * @param dataDir the node's Hotpot data folder
     * @throws UncheckedIOException if an existing record cannot be read; the node must not forget
     *                              what it accepted, so a damaged file is an error, not a reset
     */
    public ReplayGuard(Path dataDir) {
        this.file = dataDir.resolve("security").resolve("accepted.properties");
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
                for (String bsn : p.stringPropertyNames()) {
                    String[] f = p.getProperty(bsn).trim().split(" ");
                    if (f.length != 3) {
                        throw new IOException("bad entry for " + bsn + ": " + p.getProperty(bsn));
                    }
                    accepted.put(bsn, new Accepted(Long.parseLong(f[0]), f[1], f[2]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException(new IOException("cannot read the replay guard's record " + file
                    + " (remove it only if you accept that old rollouts could be replayed once): " + e.getMessage(), e));
        }
    }

    /**
     * Checks a ticket without recording it.
     *
     * @throws SecurityRefusal ({@link Reason#REPLAY}) if it is a replay or an unflagged downgrade
     */
    public synchronized void check(RolloutTicket ticket) throws SecurityRefusal {
        String bsn = ticket.artifact().symbolicName();
        Accepted last = accepted.get(bsn);
        if (last == null) {
            return;
        }
        if (ticket.sequence() == last.sequence() && ticket.artifact().sha256().equals(last.sha256())
                && ticket.artifact().version().equals(last.version())) {
            return;
        }
        if (ticket.sequence() <= last.sequence()) {
            throw new SecurityRefusal(Reason.REPLAY, "rollout " + ticket.rolloutId() + " of "
                    + ticket.artifact().coordinates() + ": sequence " + ticket.sequence()
                    + " is not newer than " + last.sequence() + ", the last accepted for " + bsn + " (a replay)");
        }
        if (!ticket.rollback() && newer(last.version(), ticket.artifact().version())) {
            throw new SecurityRefusal(Reason.REPLAY, "rollout " + ticket.rolloutId() + " of "
                    + ticket.artifact().coordinates() + ": downgrade from " + last.version()
                    + " is not flagged as a rollback");
        }
    }

    /**
     * Checks a ticket and records it as the newest accepted for its symbolic name. Returns once
     * the record is on disk.
     *
     * @throws SecurityRefusal ({@link Reason#REPLAY}) as {@link #check}; nothing is recorded then
     * @throws UncheckedIOException if the record cannot be written; the ticket is then not admitted
     */
    public synchronized void admit(RolloutTicket ticket) throws SecurityRefusal {
        check(ticket);
        Accepted previous = accepted.put(ticket.artifact().symbolicName(),
                new Accepted(ticket.sequence(), ticket.artifact().version(), ticket.artifact().sha256()));
        try {
            save();
        } catch (IOException e) {
            if (previous == null) {
                accepted.remove(ticket.artifact().symbolicName());
            } else {
                accepted.put(ticket.artifact().symbolicName(), previous);
            }
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** @return the sequence of the newest ticket accepted for that symbolic name, or 0 */
    public synchronized long lastSequence(String symbolicName) {
        Accepted last = accepted.get(symbolicName);
        return last == null ? 0 : last.sequence();
    }

    private static boolean newer(String a, String b) {
        try {
            return Version.parseVersion(a).compareTo(Version.parseVersion(b)) > 0;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private void save() throws IOException {
        Properties p = new Properties();
        accepted.forEach((bsn, a) -> p.setProperty(bsn, a.sequence() + " " + a.version() + " " + a.sha256()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Hotpot: newest rollout ticket accepted per symbolic name (sequence version sha256)");
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
