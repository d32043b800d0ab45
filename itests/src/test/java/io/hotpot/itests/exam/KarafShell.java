package io.hotpot.itests.exam;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/**
 * Runs Karaf console commands inside the container, the way a user at the console would, and captures what
 * they print. Runs inside Karaf (test probe).
 */
final class KarafShell {

    private final SessionFactory sessions;

    KarafShell(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /**
     * @return everything the command printed, followed by its formatted return value if it has one
     * @throws Exception what the command threw (e.g. CommandNotFoundException)
     */
    String run(String command) throws Exception {
        try {
            return javax.security.auth.Subject.doAs(ADMIN, (java.security.PrivilegedExceptionAction<String>) () -> runAsAdmin(command));
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        }
    }

    private String runAsAdmin(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // No input: a command that prompts gets end of stream instead of blocking the test.
        Session session = asAdmin(() -> sessions.create(new ByteArrayInputStream(new byte[0]), out, out));
        try {
            // The session routes System.out of the command's thread to 'out' while the command runs.
            Object result = session.execute(command);
            if (result != null) {
                out.println(result);
            }
        } finally {
            session.close();
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Creates a session as an admin user would have it: Karaf hides the commands that a command ACL
     * (e.g. etc/org.apache.karaf.command.acl.hot.cfg) restricts from a session without those roles.
     */
    private static final javax.security.auth.Subject ADMIN = new javax.security.auth.Subject();

    static {
        ADMIN.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("karaf"));
        for (String role : new String[]{"admin", "manager", "viewer", "systembundles"}) {
            ADMIN.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal(role));
        }
    }

    private static Session asAdmin(java.util.function.Supplier<Session> create) {
        return javax.security.auth.Subject.doAs(ADMIN, (java.security.PrivilegedAction<Session>) create::get);
    }

    /** @return "scope:name" of every command the console knows right now */
    Set<String> commands() {
        return javax.security.auth.Subject.doAs(ADMIN, (java.security.PrivilegedAction<Set<String>>) this::commandsAsAdmin);
    }

    private Set<String> commandsAsAdmin() {
        Session session = asAdmin(() -> sessions.create(new ByteArrayInputStream(new byte[0]), System.out, System.err));
        try {
            Set<String> names = new TreeSet<>();
            for (Command c : session.getRegistry().getCommands()) {
                names.add(c.getScope() + ":" + c.getName());
            }
            return names;
        } finally {
            session.close();
        }
    }
}
