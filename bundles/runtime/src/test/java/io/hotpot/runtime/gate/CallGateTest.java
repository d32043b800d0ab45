package io.hotpot.runtime.gate;

import org.junit.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The gate's wait is read when a call arrives, so a node reconfigured with another
 * {@code gate.wait.ms} keeps its gates (and the proxies built on them) instead of re-creating them.
 */
public class CallGateTest {

    @Test
    public void aCallWaitsAsLongAsTheWaitInForceWhenItArrives() throws Exception {
        AtomicLong waitMs = new AtomicLong(60_000);
        CallGate gate = new CallGate("bundle", waitMs::get);
        gate.close(1_000);
        try {
            waitMs.set(50);
            CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> {
                try {
                    gate.enter();
                    gate.exit();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            // Bounded by the new 50 ms, not the 60 s the gate was made with.
            Throwable refused = call.get(10, TimeUnit.SECONDS);
            assertTrue(String.valueOf(refused), refused instanceof IllegalStateException
                    && refused.getMessage().contains("gate.wait.ms=50 ms"));
            assertEquals(1, gate.timedOutCalls());
        } finally {
            gate.open();
        }
        gate.enter();
        gate.exit();
    }

    @Test
    public void aWaitThatIsNotPositiveIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CallGate("bundle", 0));
    }
}
