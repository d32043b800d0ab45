package io.hotpot.shell;

import io.hotpot.api.cluster.RolloutRecord;
import org.junit.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** Issue 9 item 2: Ctrl-C on hot:distribute detaches the console; it does not interrupt the rollout. */
public class RolloutProgressTest {

    @Test
    public void anInterruptDetachesTheConsoleAndLeavesTheRolloutRunning() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean rolloutInterrupted = new AtomicBoolean();
        CountDownLatch rolloutEnded = new CountDownLatch(1);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        AtomicReference<RolloutRecord> returned = new AtomicReference<>();
        AtomicBoolean consoleStillInterrupted = new AtomicBoolean();
        Thread console = new Thread(() -> {
            try {
                returned.set(RolloutProgress.follow(listener -> {
                    started.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        rolloutInterrupted.set(true);
                    } finally {
                        rolloutEnded.countDown();
                    }
                    return null;
                }, new PrintStream(printed, true)));
                consoleStillInterrupted.set(Thread.currentThread().isInterrupted());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        console.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        console.interrupt();
        console.join(10_000);
        assertFalse("the console returned", console.isAlive());
        assertNull(returned.get());
        assertTrue(printed.toString(), printed.toString().contains("Detached"));
        assertTrue("the interrupt is kept for Karaf", consoleStillInterrupted.get());
        // The rollout thread was not interrupted: it ends when its own work does.
        assertFalse("rollout interrupted by the console", rolloutEnded.await(300, TimeUnit.MILLISECONDS));
        release.countDown();
        assertTrue(rolloutEnded.await(10, TimeUnit.SECONDS));
        assertFalse("rollout interrupted by the console", rolloutInterrupted.get());
    }
}
