package io.hotpot.runtime.security.ticket;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a rollout ticket's signature covers. Unambiguous by construction: a fixed
 * domain-separation prefix (so a signature made for anything else Hotpot might sign never verifies
 * as a ticket), then every field in a fixed order, texts as a 4-byte big-endian length and their
 * UTF-8 bytes, numbers as 8 bytes big-endian, the flag as one byte. Two different tickets never
 * have the same bytes, whatever their texts contain.
 *
 * <pre>
 *   "hotpot-rollout-v1" rolloutId sequence symbolicName version sha256 size leaderId rollback [action [setSize]]
 * </pre>
 * The action byte ({@code 0} RUN, {@code 1} {@link RolloutTicket.Action#REMOVE}) is there only when
 * the ticket is not a plain run of one bundle, and the set size (4 bytes) only for a member of a
 * set: every ticket signed before removals and sets existed keeps its bytes and its signature, and
 * the three kinds have three lengths, so they never meet. A node that does not know them reads a
 * removal or a set member as a plain run, computes the shorter bytes, and refuses the signature: it
 * never runs what was meant to be removed, nor one member of a set alone.
 * Stateless and thread-safe.
 */
public final class CanonicalTicket {

    /** The domain-separation prefix; a new layout gets a new prefix. */
    public static final String DOMAIN = "hotpot-rollout-v1";

    private CanonicalTicket() {
    }

    /** @return the canonical bytes of the ticket */
    public static byte[] bytes(RolloutTicket ticket) {
        ArtifactDescriptor a = ticket.artifact();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            text(out, DOMAIN);
            text(out, ticket.rolloutId());
            out.writeLong(ticket.sequence());
            text(out, a.symbolicName());
            text(out, a.version());
            text(out, a.sha256());
            out.writeLong(a.size());
            text(out, ticket.leaderId());
            out.writeByte(ticket.rollback() ? 1 : 0);
            if (ticket.action() != RolloutTicket.Action.RUN || ticket.setSize() != 1) {
                out.writeByte(ticket.action().ordinal());
            }
            if (ticket.setSize() != 1) {
                out.writeInt(ticket.setSize());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
