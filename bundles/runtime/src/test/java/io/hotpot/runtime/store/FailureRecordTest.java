package io.hotpot.runtime.store;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Issue 9 item 4: what failed on a node, across restarts (a new FailureRecord is a restarted node). */
public class FailureRecordTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void bytesThatFailedAreAvoidedAndBytesANodeDiedApplyingAreTriedOnceMore() {
        String a = "aa".repeat(32);
        new FailureRecord(tmp.getRoot().toPath()).failed("org.example.x", a);
        assertTrue(new FailureRecord(tmp.getRoot().toPath()).avoid("org.example.x", a));

        FailureRecord node = new FailureRecord(tmp.getRoot().toPath());
        node.died("org.example.y", a);
        assertFalse("one death may be an operator's kill: tried once more", new FailureRecord(tmp.getRoot().toPath())
                .avoid("org.example.y", a));
        new FailureRecord(tmp.getRoot().toPath()).died("org.example.y", a);
        assertTrue("died twice applying them", new FailureRecord(tmp.getRoot().toPath()).avoid("org.example.y", a));
        assertFalse("other bytes", node.avoid("org.example.y", "bb".repeat(32)));

        node.clear("org.example.y");
        assertFalse(new FailureRecord(tmp.getRoot().toPath()).avoid("org.example.y", a));
    }
}
