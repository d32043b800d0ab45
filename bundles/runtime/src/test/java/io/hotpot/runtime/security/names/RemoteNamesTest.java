package io.hotpot.runtime.security.names;

import io.hotpot.runtime.security.SecurityRefusal;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class RemoteNamesTest {

    private static final List<String> HOSTILE = List.of("", ".", "..", "../etc/passwd", "a/b", "a\\b", "a..b/..",
            "a b", "a\u0000b", "a\nb", "/abs", "C:\\x", "a.", ".a", "x".repeat(300), "é");

    @Test
    public void symbolicNamesFollowTheOsgiGrammar() throws Exception {
        assertEquals("org.apache.commons.lang3", RemoteNames.requireSymbolicName("org.apache.commons.lang3"));
        RemoteNames.requireSymbolicName("io.hotpot.examples.kv-store_1");
        for (String name : HOSTILE) {
            assertEquals(name, SecurityRefusal.Reason.NAME,
                    assertThrows(SecurityRefusal.class, () -> RemoteNames.requireSymbolicName(name)).reason());
        }
    }

    @Test
    public void versionsParseAsOsgiVersions() throws Exception {
        assertEquals("1.2.0", RemoteNames.requireVersion("1.2"));
        assertEquals("1.0.0.SNAPSHOT", RemoteNames.requireVersion("1.0.0.SNAPSHOT"));
        for (String v : List.of("", "1.x", "1.0.0.a/b", "../1", "-1", "1.0.0.a b")) {
            assertThrows(v, SecurityRefusal.class, () -> RemoteNames.requireVersion(v));
        }
    }

    @Test
    public void idsHaveTheirStrictForms() throws Exception {
        RemoteNames.requireRolloutId("r-20261121-142430-57ee");
        RemoteNames.requireTransferId("t-0f8fad5b-d9cb-469f-a165-70867728950e");
        RemoteNames.requireNodeId("node1", "node id");
        for (String bad : HOSTILE) {
            assertThrows(SecurityRefusal.class, () -> RemoteNames.requireRolloutId("r-" + bad + "/"));
            assertThrows(SecurityRefusal.class, () -> RemoteNames.requireTransferId(bad));
        }
        assertThrows(SecurityRefusal.class, () -> RemoteNames.requireTransferId("t-../../artifacts/x"));
        assertThrows(SecurityRefusal.class, () -> RemoteNames.requireNodeId("..", "node id"));
    }

    @Test
    public void printableEscapesControlCharactersAndCuts() {
        assertEquals("'a\\u000ab'", RemoteNames.printable("a\nb"));
        assertEquals(84, RemoteNames.printable("x".repeat(200)).length() - 1);
    }
}
