package io.hotpot.runtime.security;

import io.hotpot.runtime.security.credentials.ClusterKeys;
import io.hotpot.runtime.security.credentials.ClusterSecrets;

import io.hotpot.api.ArtifactDescriptor;
import io.hotpot.api.RolloutTicket;

import java.security.SecureRandom;

/** Keys and tickets for tests. */
public final class Tickets {

    public static final String SHA = "ab".repeat(32);

    private Tickets() {
    }

    /** @return new cluster keys, as a new cluster would have */
    public static ClusterKeys newKeys() {
        return ClusterKeys.decode(ClusterSecrets.generate(new SecureRandom()));
    }

    public static RolloutTicket ticket(long sequence, String version, boolean rollback) {
        return new RolloutTicket("r-20261121-142430-57ee", sequence,
                new ArtifactDescriptor("org.example", version, SHA, 1234), "node1", rollback);
    }
}
