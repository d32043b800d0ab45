package io.hotpot.runtime.security.member;

import io.hotpot.api.ApplyReport;
import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;
import io.hotpot.runtime.security.ticket.CanonicalTicket;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a {@link io.hotpot.api.SignedApplyReport}'s signature covers: the ticket the report
 * answers, in its own canonical form, then every field of the report. Laid out like
 * {@link CanonicalProof}, with a prefix of its own; a text that may be absent is a presence byte
 * (0 or 1) and then, if present, its length and UTF-8 bytes.
 *
 * <pre>
 *   "hotpot-report-v1" ticket(CanonicalTicket) nodeId symbolicName version sha256 size outcome
 *   previousVersion? runningVersion? bundleState? failedPhase? message stateBytes pauseMicros heldCalls durationMs
 * </pre>
 * Stateless and thread-safe.
 */
public final class CanonicalReport {

    /** The domain-separation prefix; a new layout gets a new prefix. */
    public static final String DOMAIN = "hotpot-report-v1";

    private CanonicalReport() {
    }

    /** @return the canonical bytes of that report as the answer to that ticket */
    public static byte[] bytes(RolloutTicket ticket, ApplyReport r) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            text(out, DOMAIN);
            byte[] signed = CanonicalTicket.bytes(ticket);
            out.writeInt(signed.length);
            out.write(signed);
            text(out, r.nodeId());
            ArtifactDescriptor a = r.artifact();
            text(out, a.symbolicName());
            text(out, a.version());
            text(out, a.sha256());
            out.writeLong(a.size());
            text(out, r.outcome().name());
            optional(out, r.previousVersion());
            optional(out, r.runningVersion());
            optional(out, r.bundleState());
            optional(out, r.failedPhase() == null ? null : r.failedPhase().name());
            text(out, r.message());
            out.writeLong(r.stateBytes());
            out.writeLong(r.pauseMicros());
            out.writeInt(r.heldCalls());
            out.writeLong(r.durationMs());
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return buffer.toByteArray();
    }

    private static void optional(DataOutputStream out, String value) throws IOException {
        out.writeByte(value == null ? 0 : 1);
        if (value != null) {
            text(out, value);
        }
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
