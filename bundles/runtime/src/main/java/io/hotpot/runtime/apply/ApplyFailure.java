package io.hotpot.runtime.apply;

import io.hotpot.api.ApplyPhase;

/** A step of the apply pipeline failed; carries the phase for the report. */
final class ApplyFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final ApplyPhase phase;

    ApplyFailure(ApplyPhase phase, String message, Throwable cause) {
        super(message, cause);
        this.phase = phase;
    }

    ApplyPhase phase() {
        return phase;
    }
}
