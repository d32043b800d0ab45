package io.hotpot.shell;

/** Small, pure formatting helpers shared by the tables. */
final class Format {

    private Format() {
    }

    /** @return the first 12 hex characters of a digest, or "-" */
    static String digest(String sha256) {
        return sha256 == null ? "-" : sha256.substring(0, Math.min(12, sha256.length()));
    }

    /** @return the text, or "-" when null */
    static String orDash(Object value) {
        return value == null ? "-" : value.toString();
    }

    /** @return a duration in milliseconds as "850 ms" or "-" when negative */
    static String ago(long ms) {
        if (ms < 0) {
            return "never";
        }
        return ms < 1000 ? ms + " ms ago" : (ms / 1000) + " s ago";
    }
}
