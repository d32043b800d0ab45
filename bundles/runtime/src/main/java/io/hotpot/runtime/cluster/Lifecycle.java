package io.hotpot.runtime.cluster;

/** The lifecycle of Hotpot's closeable parts, as in Curator's recipes: LATENT → STARTED → CLOSED. */
enum Lifecycle {
    LATENT, STARTED, CLOSED
}
