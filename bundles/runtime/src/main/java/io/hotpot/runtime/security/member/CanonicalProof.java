package io.hotpot.runtime.security.member;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a {@link io.hotpot.api.MembershipProof}'s signature covers. Laid out like
 * {@link io.hotpot.runtime.security.ticket.CanonicalTicket}, with a prefix of its own, so that no
 * proof verifies as a ticket and no ticket as a proof: texts as a 4-byte big-endian length and their
 * UTF-8 bytes, the challenge as its length and its bytes.
 *
 * <pre>
 *   "hotpot-member-v1" nodeId endpointId address challenge
 * </pre>
 * Stateless and thread-safe.
 */
public final class CanonicalProof {

    /** The domain-separation prefix; a new layout gets a new prefix. */
    public static final String DOMAIN = "hotpot-member-v1";

    private CanonicalProof() {
    }

    /** @return the canonical bytes of a proof with these fields */
    public static byte[] bytes(String nodeId, String endpointId, String address, byte[] challenge) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(160);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            for (String text : new String[]{DOMAIN, nodeId, endpointId, address}) {
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
            out.writeInt(challenge.length);
            out.write(challenge);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }
}
