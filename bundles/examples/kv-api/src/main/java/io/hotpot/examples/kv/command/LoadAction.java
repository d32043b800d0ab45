package io.hotpot.examples.kv.command;

import io.hotpot.examples.kv.KeyValueStore;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * {@code kv:load}: a read-after-write load on a store, local or on another node through Aries RSA,
 * for a fixed time. Each thread owns its keys; every {@code put} that returns is an acknowledged
 * write, checked by the {@code get} that follows and again by a final sweep. Prints one line that
 * scripts and tests parse:
 * {@code calls=N failed=N mismatched=N lost=N keys=N maxLatencyMs=N p99LatencyMs=N target=...}.
 */
@Command(scope = "kv", name = "load", description = "Runs a read-after-write load on a key-value store and reports failed, mismatched and lost calls")
@Service
public class LoadAction extends KvAction {

    @Option(name = "--seconds", description = "How long to run")
    int seconds = 10;

    @Option(name = "--threads", description = "Client threads")
    int threads = 2;

    @Option(name = "--keys", description = "Keys per thread")
    int keysPerThread = 100;

    @Option(name = "--prefix", description = "Key prefix, to keep concurrent loads apart")
    String prefix = "load";

    @Option(name = "--remote", description = "Call the store of this node id through RSA instead of the local one")
    String remoteNode;

    @Option(name = "--pause-ms", description = "Pause between two put/get pairs of a thread, in milliseconds")
    int pauseMs = 1;

    @Override
    public Object execute() throws Exception {
        KeyValueStore store = store(remoteNode);
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicLong calls = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong mismatched = new AtomicLong();
        LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
        List<long[]> latencies = new ArrayList<>();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            long[] samples = new long[200_000];
            latencies.add(samples);
            Thread w = new Thread(() -> {
                int n = 0;
                for (long i = 0; System.nanoTime() < end; i++) {
                    String key = prefix + "-t" + thread + "-" + (i % keysPerThread);
                    String value = Long.toString(i);
                    long start = System.nanoTime();
                    try {
                        store.put(key, value);
                        acknowledged.put(key, value);
                        if (!value.equals(store.get(key))) {
                            mismatched.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        if (failed.get() <= 3) {
                            System.err.println("call failed: " + e);
                        }
                    }
                    long took = System.nanoTime() - start;
                    maxNanos.accumulate(took);
                    if (n < samples.length) {
                        samples[n++] = took;
                    }
                    calls.addAndGet(2);
                    pause();
                }
            }, "kv-load-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long lost = acknowledged.entrySet().stream().filter(e -> !e.getValue().equals(store.get(e.getKey()))).count();
        long[] all = latencies.stream().flatMapToLong(java.util.Arrays::stream).filter(x -> x > 0).sorted().toArray();
        long p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))];
        System.out.println("calls=" + calls.get() + " failed=" + failed.get() + " mismatched=" + mismatched.get()
                + " lost=" + lost + " keys=" + acknowledged.size() + " maxLatencyMs=" + maxNanos.get() / 1_000_000
                + " p99LatencyMs=" + p99 / 1_000_000 + " target=" + (remoteNode == null ? "local" : remoteNode));
        return null;
    }

    private void pause() {
        if (pauseMs > 0) {
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
