package io.hotpot.runtime.security.ticket;

import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.security.Tickets;

import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ReplayGuardTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void newerTicketsAreAdmittedOlderOnesAreReplays() throws Exception {
        ReplayGuard guard = new ReplayGuard(tmp.getRoot().toPath());
        guard.admit(Tickets.ticket(10, "1.0.0", false));
        guard.admit(Tickets.ticket(11, "1.1.0", false));
        SecurityRefusal e = assertThrows(SecurityRefusal.class, () -> guard.admit(Tickets.ticket(10, "1.0.0", false)));
        assertEquals(Reason.REPLAY, e.reason());
        assertTrue(e.getMessage(), e.getMessage().contains("sequence 10 is not newer than 11"));
        assertEquals(11, guard.lastSequence("org.example"));
    }

    @Test
    public void theSameTicketAgainIsNotAReplay() throws Exception {
        ReplayGuard guard = new ReplayGuard(tmp.getRoot().toPath());
        guard.admit(Tickets.ticket(10, "1.0.0", false));
        guard.admit(Tickets.ticket(10, "1.0.0", false));
        guard.check(Tickets.ticket(10, "1.0.0", false));
    }

    @Test
    public void aDowngradeNeedsTheRollbackFlagAndANewSequence() throws Exception {
        ReplayGuard guard = new ReplayGuard(tmp.getRoot().toPath());
        guard.admit(Tickets.ticket(10, "1.0.0", false));
        guard.admit(Tickets.ticket(11, "1.1.0", false));
        assertEquals(Reason.REPLAY, assertThrows(SecurityRefusal.class,
                () -> guard.admit(Tickets.ticket(12, "1.0.0", false))).reason());
        guard.admit(Tickets.ticket(12, "1.0.0", true));
        // The old rollback ticket, replayed after the cluster moved on, has an old sequence.
        guard.admit(Tickets.ticket(13, "1.1.0", false));
        assertEquals(Reason.REPLAY, assertThrows(SecurityRefusal.class,
                () -> guard.admit(Tickets.ticket(12, "1.0.0", true))).reason());
    }

    @Test
    public void aRefusedTicketRecordsNothing() throws Exception {
        ReplayGuard guard = new ReplayGuard(tmp.getRoot().toPath());
        guard.admit(Tickets.ticket(10, "2.0.0", false));
        assertThrows(SecurityRefusal.class, () -> guard.admit(Tickets.ticket(11, "1.0.0", false)));
        assertEquals(10, guard.lastSequence("org.example"));
    }

    @Test
    public void theGuardRemembersAcrossRestartsAndRefusesADamagedRecord() throws Exception {
        Path data = tmp.getRoot().toPath();
        new ReplayGuard(data).admit(Tickets.ticket(10, "1.0.0", false));
        ReplayGuard restarted = new ReplayGuard(data);
        assertEquals(Reason.REPLAY, assertThrows(SecurityRefusal.class,
                () -> restarted.admit(Tickets.ticket(9, "0.9.0", true))).reason());
        Files.writeString(data.resolve("security/accepted.properties"), "org.example = garbage\n");
        assertThrows(java.io.UncheckedIOException.class, () -> new ReplayGuard(data));
    }
}
