package io.hotpot.itests.cluster;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.hotpot.itests.cluster.RunningCluster.CONVERGE;
import static io.hotpot.itests.cluster.RunningCluster.KV;
import static io.hotpot.itests.cluster.RunningCluster.assertOk;
import static io.hotpot.itests.cluster.RunningCluster.row;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * End to end on a real cluster: three Karaf processes of the built distribution, a real ZooKeeper
 * server on 127.0.0.1, and real remote calls through Aries RSA. The steps share one cluster, in
 * order, as an operator would drive it; each asserts, on every node and through that node's own
 * console, the version, the state, the full SHA-256 and, for the KV store, every entry and its shape.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ClusterDistributionIT {

    private static final String LANG3 = "org.apache.commons.lang3";
    private static final String TEXT = "org.apache.commons.commons-text";

    private static RunningCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = RunningCluster.start("distribution-it", 3);
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void step1_distributeInstallsTheKvStoreOnEveryNode() throws Exception {
        cluster.installKv("kv-1.0.0.jar");
        String sha = Fixtures.sha256(Fixtures.jar("kv-1.0.0.jar"));
        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, KV, "1.0.0", sha);
        }
        for (String node : cluster.followers()) {
            cluster.assertKv(node, "1.0.0", 1);
        }
    }

    @Test
    public void step2_aJarDroppedIntoTheLeadersDeployFolderReachesEveryFollowerWithItsState() throws Exception {
        Path jar = Fixtures.jar("kv-1.1.0.jar");
        String sha = Fixtures.sha256(jar);
        Files.copy(jar, cluster.nodes().home(cluster.leader()).resolve("deploy/kv-store.jar"), StandardCopyOption.REPLACE_EXISTING);
        for (String node : cluster.nodes().nodes()) {
            await(node + " runs kv 1.1.0").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> cluster.assertRuns(node, KV, "1.1.0", sha));
        }
        for (String node : cluster.followers()) {
            cluster.assertKv(node, "1.1.0", 2);
        }
    }

    /**
     * Issue 12, {@code --dry-run}: per node, what a rollout would do, and nothing changes. The KV
     * store 1.2.0 would be updated through the gate, holding calls to its KeyValueStore; a new
     * version of the KV API would also refresh the store, which imports its package; commons-text
     * would be refused on every node, naming the package it lacks, before a byte is pushed. After
     * all three, every node runs what it ran, and the cluster recorded no rollout.
     */
    @Test
    public void step2a_aDryRunShowsWhatEachNodeWouldDoAndChangesNothing() throws Exception {
        java.util.Set<String> rollouts = rolloutIds(cluster.run(cluster.leader(), "hot:history"));
        String kv = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        String apiVersion = Fixtures.bundleVersion(Fixtures.jar("kv-api.jar"));
        String apiSha = Fixtures.sha256(Fixtures.jar("kv-api.jar"));

        String store = cluster.run(cluster.leader(), "hot:distribute --dry-run " + Fixtures.jar("kv-1.2.0.jar"));
        assertTrue(store, store.contains("DRY RUN of " + KV + "/1.2.0") && store.contains("nothing changed: 3/3 nodes would go ahead"));
        for (String node : cluster.nodes().nodes()) {
            java.util.Map<String, String> row = RunningCluster.row(ConsoleTable.parse(store), "Node", node).orElseThrow();
            assertEquals(store, "UPDATE", row.get("Change"));
            assertEquals(store, "1.1.0", row.get("Running"));
            assertEquals(store, "1.2.0", row.get("Version"));
            assertTrue(store, row.get("Services").contains("io.hotpot.examples.kv.KeyValueStore"));
        }

        Path newApi = Fixtures.withManifest(Fixtures.jar("kv-api.jar"),
                Files.createTempDirectory("hotpot-dry-run").resolve("kv-api-9.0.0.jar"), "9.0.0", null);
        String api = cluster.run(cluster.leader(), "hot:distribute -n " + newApi);
        for (String node : cluster.nodes().nodes()) {
            java.util.Map<String, String> row = RunningCluster.row(ConsoleTable.parse(api), "Node", node).orElseThrow();
            assertEquals(api, "UPDATE", row.get("Change"));
            assertTrue(node + ": the store imports the API's package, so the refresh restarts it\n" + api,
                    row.get("Refreshed").contains(KV));
        }

        String text = cluster.run(cluster.leader(), "hot:distribute --dry-run " + Fixtures.jar("commons-text-1.10.0.jar"));
        assertTrue(text, text.contains("[node1, node2, node3] would refuse it"));
        for (String node : cluster.nodes().nodes()) {
            assertTrue(text, text.contains(node + ": REFUSE: " + TEXT + "/1.10.0 would not resolve on " + node
                    + ", nothing changed: no bundle exports the imported package(s) (osgi.wiring.package=org.apache.commons.lang3)"));
        }

        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, KV, "1.1.0", kv);
            cluster.assertRuns(node, "io.hotpot.examples.kv.api", apiVersion, apiSha);
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            assertTrue(node + " installed commons-text:\n" + bundles, !bundles.contains(TEXT));
        }
        assertEquals("a dry run records no rollout", rollouts, rolloutIds(cluster.run(cluster.leader(), "hot:history")));
    }

    private static java.util.Set<String> rolloutIds(String history) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("r-[0-9]{8}-[0-9]{6}-[0-9a-f]+").matcher(history);
        while (m.find()) {
            ids.add(m.group());
        }
        return ids;
    }

    /**
     * Issue 10, real bundles: commons-text 1.10.0 from Maven Central imports commons-lang3, which no
     * node has yet. Every node refuses it when it stages the bytes, naming the missing package and
     * itself; nothing is installed anywhere. (Step 8 sends it again once commons-lang3 runs.)
     */
    @Test
    public void step2b_aBundleWhoseDependencyTheClusterLacksIsRefusedEverywhere() throws Exception {
        String out = cluster.distribute(Fixtures.jar("commons-text-1.10.0.jar"));
        assertTrue(out, out.contains("REFUSED: rollout") && out.contains("0/3 nodes run it"));
        for (String node : cluster.nodes().nodes()) {
            assertTrue(out, out.contains(node + ": FAILED (REJECTED in phase RESOLVE): " + TEXT + "/1.10.0 would not resolve on "
                    + node + ", nothing changed: no bundle exports the imported package(s) (osgi.wiring.package="
                    + "org.apache.commons.lang3)"));
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            assertTrue(node + " installed it:\n" + bundles, !bundles.contains(TEXT));
        }
    }

    @Test
    public void step3_hotDistributeUpgradesAThirdPartyBundleOnEveryNode() throws Exception {
        assertOk(cluster.distribute(Fixtures.jar("commons-lang3-3.12.0.jar")));
        String old = Fixtures.sha256(Fixtures.jar("commons-lang3-3.12.0.jar"));
        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, LANG3, "3.12.0", old);
        }
        String out = cluster.distribute(Fixtures.jar("commons-lang3-3.14.0.jar"));
        assertOk(out);
        String sha = Fixtures.sha256(Fixtures.jar("commons-lang3-3.14.0.jar"));
        for (String node : cluster.nodes().nodes()) {
            cluster.assertRuns(node, LANG3, "3.14.0", sha);
        }
        for (Map<String, String> row : ConsoleTable.parse(out)) {
            assertEquals(out, "3.12.0", row.get("Previous"));
            assertEquals(out, "UPDATED", row.get("Outcome"));
        }
    }

    @Test
    public void step4_aCorruptJarInDeployIsRejectedNamingTheFileAndTheNode() throws Exception {
        String leader = cluster.leader();
        byte[] bytes = Files.readAllBytes(Fixtures.jar("kv-1.1.0.jar"));
        Path broken = cluster.nodes().home(leader).resolve("deploy/broken.jar");
        Files.write(broken, Arrays.copyOf(bytes, bytes.length / 2));
        await("the leader's log names the corrupt file").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.nodes().log(leader).contains("rejected " + leader + ": " + broken + ": "));
        for (String node : cluster.followers()) {
            cluster.assertKv(node, "1.1.0", 2);
        }
    }

    @Test
    public void step5_aJarThatIsNotABundleIsRejected() throws Exception {
        String leader = cluster.leader();
        Path plain = Fixtures.plainJar(cluster.nodes().home(leader).resolve("deploy/plain-library.jar"));
        await("the leader's log names the non-bundle").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.nodes().log(leader).contains("rejected " + leader + ": " + plain
                        + ": not an OSGi bundle"));
        for (String node : cluster.followers()) {
            cluster.assertKv(node, "1.1.0", 2);
        }
    }

    @Test
    public void step6_aBundleThatCannotResolveOnFollowersLeavesTheClusterOnItsVersion() throws Exception {
        String leader = cluster.leader();
        Path work = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
        String pkg = "io.hotpot.itests.leaderonly";
        Path exporter = Fixtures.exporter(work.resolve("leader-only.jar"), "io.hotpot.itests.leaderonly", pkg);
        // Installed on the leader only, outside Hotpot: the followers lack the package.
        cluster.run(leader, "bundle:install -s " + exporter.toUri());
        Path kv111 = Fixtures.withManifest(Fixtures.jar("kv-1.1.0.jar"), work.resolve("kv-1.1.1.jar"), "1.1.1", pkg);

        String out = cluster.distribute(kv111);

        // The followers refuse when they stage, before any node applies: the rollout halts with
        // nothing touched anywhere (issue 10 item 8: REFUSED, in one short verdict line).
        String verdict = out.lines().filter(l -> l.startsWith("REFUSED: rollout")).findFirst()
                .orElseThrow(() -> new AssertionError("no REFUSED verdict:\n" + out));
        assertTrue(verdict, verdict.length() < 300 && verdict.contains("0/3 nodes run it"));
        Map<String, String> leaderRow = row(ConsoleTable.parse(out), "Node", leader).orElseThrow(() -> new AssertionError(out));
        assertEquals(out, "SKIPPED", leaderRow.get("Step"));
        for (String follower : cluster.followers()) {
            Map<String, String> r = row(ConsoleTable.parse(out), "Node", follower).orElseThrow(() -> new AssertionError(out));
            assertEquals(out, "REJECTED", r.get("Outcome"));
            assertTrue(out, out.contains(follower + ": FAILED (REJECTED in phase RESOLVE): " + KV + "/1.1.1 would not resolve on "
                    + follower + ", nothing changed: no bundle exports the imported package(s) (osgi.wiring.package=" + pkg + ")"));
        }
        String sha110 = Fixtures.sha256(Fixtures.jar("kv-1.1.0.jar"));
        cluster.assertConverged(KV, "1.1.0", sha110, cluster.nodes().nodes());
        for (String node : cluster.followers()) {
            cluster.assertKv(node, "1.1.0", 2);
        }
    }

    /**
     * Issue 10 item 5: Jackson and Guava, which Hotpot's runtime also runs on (through Curator), are
     * distributed like any library: installed beside the runtime's copy, upgraded, while the runtime
     * keeps its own; only the very version the runtime is wired to is refused, naming who needs it.
     */
    @Test
    public void step7_librariesHotpotRunsOnAreDistributedBesideItsOwnCopy() throws Exception {
        String core = "com.fasterxml.jackson.core.jackson-core";
        for (String version : new String[]{"2.17.2", "2.19.2"}) {
            Path jar = Fixtures.jar("jackson-core-" + version + ".jar");
            String out = cluster.distribute(jar);
            assertOk(out);
            cluster.assertConverged(core, version, Fixtures.sha256(jar), cluster.nodes().nodes());
        }
        for (String node : cluster.nodes().nodes()) {
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            long copies = bundles.lines().filter(l -> l.contains(core) && l.contains("Active")).count();
            assertEquals(node + " runs the runtime's jackson-core and the distributed one:\n" + bundles, 2, copies);
            assertTrue(node + ": the runtime's own copy is untouched:\n" + bundles,
                    bundles.lines().anyMatch(l -> l.contains(core) && l.contains("2.18.2") && l.contains("Active")));
        }

        String same = cluster.distribute(Fixtures.jar("jackson-core-2.18.2.jar"));
        assertTrue(same, same.contains("which Hotpot's runtime runs on") && same.contains("is wired to it"));
        cluster.assertConverged(core, "2.19.2", Fixtures.sha256(Fixtures.jar("jackson-core-2.19.2.jar")),
                cluster.nodes().nodes());

        Path guava = Fixtures.jar("guava-33.4.8-jre.jar");
        assertOk(cluster.distribute(guava));
        cluster.assertConverged("com.google.guava", "33.4.8.jre", Fixtures.sha256(guava), cluster.nodes().nodes());
        // The runtime still runs on its own copies: the cluster answers and elects as before.
        cluster.awaitReady();
    }

    /** Issue 10, real bundles: with commons-lang3 on every node, commons-text now goes everywhere, wired to it. */
    @Test
    public void step8_theRefusedBundleRunsOnceItsDependencyDoes() throws Exception {
        Path jar = Fixtures.jar("commons-text-1.10.0.jar");
        assertOk(cluster.distribute(jar));
        cluster.assertConverged(TEXT, "1.10.0", Fixtures.sha256(jar), cluster.nodes().nodes());
        for (String node : cluster.nodes().nodes()) {
            String wires = cluster.run(node, "bundle:requirements --namespace osgi.wiring.package " + TEXT);
            assertTrue(node + ": " + wires, wires.contains("osgi.wiring.package; org.apache.commons.lang3 3.14.0 from "
                    + "org.apache.commons.lang3"));
        }
    }

    /**
     * Issue 10 item 3, on real bundles: netty's epoll transport (a library, upgraded 4.1.113 → 4.1.118
     * on top of the runtime's netty) and its native fragment, which is refused before anything is
     * touched on any node, naming its host and why; the host keeps its version, bytes and wiring.
     */
    @Test
    public void step9_aFragmentIsRefusedBeforeAnythingIsTouchedAndItsHostKeepsRunning() throws Exception {
        String epoll = "io.netty.transport-classes-epoll";
        Path host = null;
        for (String version : new String[]{"4.1.113.Final", "4.1.118.Final"}) {
            host = Fixtures.jar("netty-transport-classes-epoll-" + version + ".jar");
            assertOk(cluster.distribute(host));
            cluster.assertConverged(epoll, version, Fixtures.sha256(host), cluster.nodes().nodes());
        }
        String out = cluster.distribute(Fixtures.jar("netty-transport-native-epoll-4.1.113.Final-linux-x86_64.jar"));
        System.out.println(out);
        String verdict = out.lines().filter(l -> l.startsWith("REFUSED: rollout")).findFirst()
                .orElseThrow(() -> new AssertionError("no REFUSED verdict:\n" + out));
        assertTrue(verdict, verdict.contains("0/3 nodes run it"));
        for (String node : cluster.followers()) {
            assertTrue(node + " names the fragment's host:\n" + out, out.lines().anyMatch(l -> l.startsWith(node + ": ")
                    && l.contains("is a fragment of " + epoll) && l.contains("nothing changed")));
        }
        for (String node : cluster.nodes().nodes()) {
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            assertTrue(node + " installed nothing of the fragment:\n" + bundles,
                    bundles.lines().noneMatch(l -> l.contains("io.netty.transport-native-epoll")));
        }
        cluster.assertConverged(epoll, "4.1.118.Final", Fixtures.sha256(host), cluster.nodes().nodes());
    }

    /**
     * Issue 10 item 1 on a real cluster: a Blueprint bundle, run by Karaf's {@code aries-blueprint},
     * whose two beans export one interface ({@code KeyValueStore}), told apart only by their
     * {@code kv.store} property, is upgraded under a read-after-write load on both stores to a
     * version whose beans are renamed (so {@code osgi.service.blueprint.compname} changes). Before the
     * matching rule the two collapsed into one proxy and the other store was hidden. Now each store
     * keeps its own proxy registration and its own entries, and 1.1.0 answers, with no failed call.
     */
    @Test
    public void step9b_aBlueprintBundleWithTwoServicesOfOneInterfaceSwapsWithBothStates() throws Exception {
        String twins = "io.hotpot.examples.kv.twins";
        List<String> stores = List.of("left", "right");
        for (String node : cluster.nodes().nodes()) {
            // -r: Karaf refreshes nothing else, so Hotpot's own bundles keep running as they are.
            cluster.run(node, "feature:install -r aries-blueprint");
            String features = cluster.run(node, "feature:list -i");
            assertTrue(node + ":\n" + features, features.lines().anyMatch(l -> l.trim().startsWith("aries-blueprint ")));
            // A feature operation after step 7 must leave the runtime on its own Jackson: before the runtime's
            // libraries were plain feature bundles, Karaf uninstalled its jackson-core 2.18.2 here, since the
            // distributed 2.19.2 satisfies curator-framework too, and the old revision stayed removal-pending.
            String bundles = cluster.run(node, "bundle:list -s -t 0");
            assertTrue(node + " keeps the runtime's jackson-core:\n" + bundles, bundles.lines().anyMatch(l ->
                    l.contains("com.fasterxml.jackson.core.jackson-core") && l.contains("2.18.2") && l.contains("Active")));
            cluster.assertNothingRemovalPending(node);
        }
        Path v10 = Fixtures.jar("kv-twins-1.0.0.jar");
        assertOk(cluster.distribute(v10));
        cluster.assertConverged(twins, "1.0.0", Fixtures.sha256(v10), cluster.nodes().nodes());
        Map<String, List<Long>> proxies = new HashMap<>();
        for (String f : cluster.followers()) {
            for (String store : stores) {
                // Blueprint registers the beans' services on its own thread, after the bundle started.
                await(f + " serves the " + store + " store").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                        .until(() -> cluster.run(f, "kv:fill --store " + store + " --count 200 --prefix " + store + "-")
                                .contains("wrote 200 entries"));
            }
            proxies.put(f, cluster.gatedServiceIds(f, "io.hotpot.examples.kv.KeyValueStore"));
        }

        Path v11 = Fixtures.jar("kv-twins-1.1.0.jar");
        String out;
        try (Loads loads = new Loads(cluster, cluster.followers(), stores, 12, 1, "twins")) {
            Thread.sleep(3_000);
            out = cluster.distribute(v11);
            System.out.println(out);
            assertOk(out);
            loads.assertClean("on both Blueprint stores across their swap");
        }
        for (Map<String, String> row : ConsoleTable.parse(out)) {
            assertEquals(out, "UPDATED", row.get("Outcome"));
            assertTrue(out, !"-".equals(row.get("State bytes")));
        }
        cluster.assertConverged(twins, "1.1.0", Fixtures.sha256(v11), cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            assertEquals(f + " keeps one proxy registration per store across the swap", proxies.get(f),
                    cluster.gatedServiceIds(f, "io.hotpot.examples.kv.KeyValueStore"));
            for (String store : stores) {
                String check = cluster.run(f, "kv:check --store " + store + " --count 200 --prefix " + store + "-");
                assertTrue(f + " " + store + ": " + check, check.contains("present=200 wrong=0 missing=0"));
                String entry = cluster.run(f, "kv:get --store " + store + " " + store + "-7");
                assertTrue(f + " " + store + ": " + entry, entry.contains("value=value-7;store=" + store + ";bundle=1.1.0"));
            }
        }
    }

    /**
     * Issue 10 item 1, a Blueprint bundle whose new version drops a service: twins 1.2.0 keeps the
     * left store and drops the right one, whose entries its migration folds into the left. Hotpot
     * knows that the new revision registered everything once Blueprint registered its
     * {@code BlueprintContainer} (before that, it waited for the right store to come back until
     * {@code migration.timeout.ms} and rolled back every time). Under a read-after-write load on the
     * left store, on every node: 1.2.0 ACTIVE with its SHA-256 and nothing removal-pending; on each
     * follower the left store keeps its proxy, now with both stores' 200 entries each, and the right
     * store's proxy is gone, as the service would be without Hotpot; 0 failed calls on the left.
     */
    @Test
    public void step9c_aBlueprintBundleThatDropsAServiceSwapsAndItsProxyGoes() throws Exception {
        String twins = "io.hotpot.examples.kv.twins";
        Map<String, List<Long>> before = new HashMap<>();
        for (String f : cluster.followers()) {
            // The KV store's own proxy and the twins' two.
            before.put(f, cluster.gatedServiceIds(f, "io.hotpot.examples.kv.KeyValueStore"));
            assertEquals(f + " has the KV store's and both twins' proxies before: " + before.get(f), 3, before.get(f).size());
        }
        Path v12 = Fixtures.jar("kv-twins-1.2.0.jar");
        String out;
        try (Loads loads = new Loads(cluster, cluster.followers(), List.of("left"), 12, 1, "twins")) {
            Thread.sleep(3_000);
            out = cluster.distribute(v12);
            System.out.println(out);
            assertOk(out);
            loads.assertClean("on the kept Blueprint store across a swap that drops the other");
        }
        cluster.assertConverged(twins, "1.2.0", Fixtures.sha256(v12), cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            List<Long> after = cluster.gatedServiceIds(f, "io.hotpot.examples.kv.KeyValueStore");
            assertEquals(f + " loses one proxy, the right store's: " + after + " of " + before.get(f), 2, after.size());
            assertTrue(f + " the kept proxies are before's: " + after + " of " + before.get(f),
                    before.get(f).containsAll(after));
            for (String prefix : List.of("left-", "right-")) {
                String check = cluster.run(f, "kv:check --store left --count 200 --prefix " + prefix);
                assertTrue(f + " " + prefix + ": " + check, check.contains("present=200 wrong=0 missing=0"));
            }
            String entry = cluster.run(f, "kv:get --store left right-7");
            assertTrue(f + ": " + entry, entry.contains("value=value-7;store=left;bundle=1.2.0"));
            String right = cluster.run(f, "kv:get --store right right-7");
            assertFalse(f + " the right store is gone: " + right, right.contains("value="));
        }
    }

    /**
     * Issue 12 (and issue 10's "as a set"): an API bundle and the stateful store that needs its new
     * version roll out as one set. The store alone is refused on every node, since nothing exports
     * the API package at 1.1 yet; the two together are staged everywhere, then applied on each node
     * as one unit (one gate closure, one refresh, the store's entries migrated, the twins store,
     * which imports the API too, refreshed with its state), under load, with no failed call.
     */
    @Test
    public void step9d_anApiAndTheStoreThatNeedsItsNewVersionRollOutAsOneSet() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("hotpot.work"), "fixtures"));
        String api = "io.hotpot.examples.kv.api";
        Path api020 = Fixtures.withHeaders(Fixtures.jar("kv-api.jar"), work.resolve("kv-api-0.2.0.jar"), "0.2.0",
                Map.of("Export-Package", e -> e.replace("io.hotpot.examples.kv;version=\"1.0.0\"",
                        "io.hotpot.examples.kv;version=\"1.1.0\"")));
        Path store115 = Fixtures.withHeaders(Fixtures.jar("kv-1.1.0.jar"), work.resolve("kv-1.1.5.jar"), "1.1.5",
                Map.of("Import-Package", i -> i.replace("io.hotpot.examples.kv;version=\"[1.0,2)\"",
                        "io.hotpot.examples.kv;version=\"[1.1,2)\"")));

        String alone = cluster.distribute(store115);
        assertTrue(alone, alone.contains("REFUSED: rollout") && alone.contains("io.hotpot.examples.kv"));

        // The store first: the set orders its members itself, the API before the store that imports it.
        String out = cluster.run(cluster.leader(), "hot:distribute " + store115 + " " + api020);
        System.out.println(out);
        assertOk(out);
        assertTrue(out, out.contains("set of 2") && out.contains("3/3 nodes run it"));
        cluster.assertConverged(KV, "1.1.5", Fixtures.sha256(store115), cluster.nodes().nodes());
        cluster.assertConverged(api, "0.2.0", Fixtures.sha256(api020), cluster.nodes().nodes());
        for (String f : cluster.followers()) {
            cluster.assertKv(f, "1.1.5", 2);
            String check = cluster.run(f, "kv:check --store left --count 200 --prefix left-");
            assertTrue(f + ": the twins store, refreshed with the API, keeps its entries: " + check,
                    check.contains("present=200 wrong=0 missing=0"));
        }
        String history = cluster.run(cluster.leader(), "hot:history " + api);
        assertTrue(history, history.contains(KV + " + " + api) || history.contains(api + " + " + KV));
    }

    /**
     * Issue 10, "upgraded one after another and then as a set", with released bundles from Maven
     * Central: commons-text imports commons-lang3. One after another, commons-text 1.12.0 joins
     * the commons-lang3 3.14.0 the cluster runs. commons-text 1.13.0 imports
     * commons-lang3 at 3.17.0 or later: alone it is refused on every node, naming the package, with
     * nothing changed; together with commons-lang3 3.17.0, as one set, it runs on every node, wired to
     * the new commons-lang3, with nothing left removal-pending, while the KV clients run without a
     * failed call.
     */
    @Test
    public void step9e_aLibraryAndTheBundleThatImportsItUpgradeOneAfterAnotherThenAsASet() throws Exception {
        // Since 1.11.0, commons-text names its bundle org.apache.commons.text, no longer
        // org.apache.commons.commons-text: to OSGi, and so to Hotpot, a bundle of its own.
        String text = "org.apache.commons.text";
        Path text112 = Fixtures.jar("commons-text-1.12.0.jar");
        assertOk(cluster.distribute(text112));
        cluster.assertConverged(text, "1.12.0", Fixtures.sha256(text112), cluster.nodes().nodes());

        Path text113 = Fixtures.jar("commons-text-1.13.0.jar");
        Path lang317 = Fixtures.jar("commons-lang3-3.17.0.jar");
        String alone = cluster.distribute(text113);
        assertTrue(alone, alone.contains("REFUSED: rollout") && alone.contains("0/3 nodes run it"));
        for (String node : cluster.nodes().nodes()) {
            assertTrue(alone, alone.contains(node + ": FAILED (REJECTED in phase RESOLVE): " + text + "/1.13.0 would not "
                    + "resolve on " + node) && alone.contains("org.apache.commons.lang3"));
        }
        cluster.assertConverged(text, "1.12.0", Fixtures.sha256(text112), cluster.nodes().nodes());

        String out;
        // Step 9d refreshed the KV API: the leader's remote clients need the stores imported again first.
        cluster.awaitRemoteStores();
        try (Loads loads = new Loads(cluster, 12, 1, "text-set")) {
            Thread.sleep(2_000);
            out = cluster.run(cluster.leader(), "hot:distribute " + text113 + " " + lang317);
            System.out.println(out);
            loads.assertClean("on the followers while commons-lang3 and commons-text rolled out as one set");
        }
        assertOk(out);
        assertTrue(out, out.contains("set of 2") && out.contains("3/3 nodes run it"));
        cluster.assertConverged(LANG3, "3.17.0", Fixtures.sha256(lang317), cluster.nodes().nodes());
        cluster.assertConverged(text, "1.13.0", Fixtures.sha256(text113), cluster.nodes().nodes());
        for (String node : cluster.nodes().nodes()) {
            String wires = cluster.run(node, "bundle:requirements --namespace osgi.wiring.package " + text);
            assertTrue(node + ": " + wires, wires.contains("osgi.wiring.package; org.apache.commons.lang3 3.17.0 from "
                    + "org.apache.commons.lang3"));
        }
    }
}
