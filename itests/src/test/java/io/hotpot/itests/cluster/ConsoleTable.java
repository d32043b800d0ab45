package io.hotpot.itests.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses a Karaf {@code ShellTable} as printed over SSH into rows keyed by column name. */
public final class ConsoleTable {

    private ConsoleTable() {
    }

    public static List<Map<String, String>> parse(String output) {
        List<Map<String, String>> rows = new ArrayList<>();
        String[] lines = output.split("\\R");
        List<String> header = null;
        for (String line : lines) {
            if (!line.contains("│") && !line.contains("|")) {
                if (header != null && !line.isBlank() && !line.matches("[\\s─┼+\\-]+")) {
                    break;
                }
                continue;
            }
            if (line.matches("[\\s─┼+\\-|│]+")) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String cell : line.split("[│|]", -1)) {
                cells.add(cell.trim());
            }
            if (header == null) {
                header = cells;
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size() && i < cells.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
