package io.hotpot.runtime.apply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses OSGi manifest headers (OSGi Core R8, section 3.2.4, "Common Header Syntax"):
 * {@code clause ( ',' clause )*}, where a clause is {@code path ( ';' path )* ( ';' parameter )*}
 * and a parameter is {@code name=value} (attribute) or {@code name:=value} (directive); values may
 * be quoted and then contain ',' and ';'. Stateless and thread-safe.
 */
final class HeaderClauses {

    /** One clause: its paths, attributes and directives. */
    record Clause(List<String> paths, Map<String, String> attributes, Map<String, String> directives) {
    }

    private HeaderClauses() {
    }

    static List<Clause> parse(String header) {
        List<Clause> clauses = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return clauses;
        }
        for (String clause : split(header, ',')) {
            List<String> paths = new ArrayList<>();
            Map<String, String> attributes = new LinkedHashMap<>();
            Map<String, String> directives = new LinkedHashMap<>();
            for (String part : split(clause, ';')) {
                int directive = part.indexOf(":=");
                int attribute = part.indexOf('=');
                if (directive > 0 && directive <= attribute) {
                    directives.put(part.substring(0, directive).trim(), unquote(part.substring(directive + 2)));
                } else if (attribute > 0) {
                    String name = part.substring(0, attribute).trim();
                    // Typed attributes (name:Type=value) keep only their name.
                    int type = name.indexOf(':');
                    attributes.put(type > 0 ? name.substring(0, type).trim() : name, unquote(part.substring(attribute + 1)));
                } else if (!part.isBlank()) {
                    paths.add(part.trim());
                }
            }
            clauses.add(new Clause(paths, attributes, directives));
        }
        return clauses;
    }

    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unquote(String value) {
        String v = value.trim();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
