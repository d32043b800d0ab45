package io.hotpot.runtime.apply;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the time of a swap goes: named laps, for the apply report and the benchmark. Not
 * thread-safe; one per swap.
 */
final class PhaseClock {

    private final List<String> laps = new ArrayList<>();
    private long last = System.nanoTime();

    /** Ends the current lap under that name. */
    void lap(String name) {
        long now = System.nanoTime();
        laps.add(String.format("%s %.1f ms", name, (now - last) / 1e6));
        last = now;
    }

    @Override
    public String toString() {
        return String.join(", ", laps);
    }
}
