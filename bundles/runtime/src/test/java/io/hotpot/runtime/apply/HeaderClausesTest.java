package io.hotpot.runtime.apply;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

public class HeaderClausesTest {

    @Test
    public void splitsClausesButNotQuotedVersionRanges() {
        List<HeaderClauses.Clause> clauses = HeaderClauses.parse(
                "org.a;version=\"[1.0,2)\",org.b;org.c;resolution:=optional, org.d");
        assertEquals(3, clauses.size());
        assertEquals(List.of("org.a"), clauses.get(0).paths());
        assertEquals(Map.of("version", "[1.0,2)"), clauses.get(0).attributes());
        assertEquals(List.of("org.b", "org.c"), clauses.get(1).paths());
        assertEquals(Map.of("resolution", "optional"), clauses.get(1).directives());
        assertEquals(List.of("org.d"), clauses.get(2).paths());
    }

    @Test
    public void typedAttributesKeepTheirName() {
        HeaderClauses.Clause c = HeaderClauses.parse("org.a;version:Version=1.2;uses:=\"org.b,org.c\"").get(0);
        assertEquals(Map.of("version", "1.2"), c.attributes());
        assertEquals(Map.of("uses", "org.b,org.c"), c.directives());
    }

    @Test
    public void anAbsentHeaderHasNoClauses() {
        assertEquals(List.of(), HeaderClauses.parse(null));
        assertEquals(List.of(), HeaderClauses.parse("  "));
    }
}
