package io.hotpot.api.health;

import java.io.Serializable;
import java.util.Objects;

/**
 * A {@link HealthCheck}'s verdict. Immutable and thread-safe.
 *
 * @param healthy whether the bundle works as it should
 * @param detail  what was checked or what is wrong, for logs and console reports; never null
 */
public record Health(boolean healthy, String detail) implements Serializable {

    /** @throws NullPointerException if detail is null */
    public Health {
        Objects.requireNonNull(detail, "detail");
    }

    /** @return a healthy verdict with that detail */
    public static Health up(String detail) {
        return new Health(true, detail);
    }

    /** @return an unhealthy verdict saying why */
    public static Health down(String why) {
        return new Health(false, why);
    }
}
