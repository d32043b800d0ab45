package io.hotpot.api;

import java.io.Serializable;
import java.util.Objects;

/**
 * A follower's answer to {@link FollowerService#beginTransfer}: the id under which it stages the
 * artifact and the offset from which it wants bytes. Immutable and thread-safe.
 *
 * @param transferId   opaque id to pass to {@link FollowerService#writeChunk} and
 *                     {@link FollowerService#apply}
 * @param resumeOffset the number of bytes, counted from 0, the follower already holds; equal to the
 *                     artifact size when the follower already stores these exact bytes, so that the
 *                     leader sends no chunk at all
 */
public record TransferTicket(String transferId, long resumeOffset) implements Serializable {

    /** @throws IllegalArgumentException if the id is blank or the offset negative */
    public TransferTicket {
        Objects.requireNonNull(transferId, "transferId");
        if (transferId.isBlank()) {
            throw new IllegalArgumentException("transferId is blank");
        }
        if (resumeOffset < 0) {
            throw new IllegalArgumentException("resumeOffset < 0: " + resumeOffset);
        }
    }
}
