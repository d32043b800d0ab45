package io.hotpot.runtime.artifact;

import org.osgi.framework.Version;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The grammar of a bundle's symbolic name and version, OSGi Core R8 1.3.2 and 3.2.5: what a manifest
 * must declare before Hotpot uses its names, and what {@code RemoteNames} requires of the same names
 * when they come from the network. None of the accepted forms can hold a path separator, {@code ..}
 * as a whole name, a control character or a space. Stateless and thread-safe.
 */
public final class BundleNames {

    /** token ( '.' token )*, token ::= ( alphanum | '_' | '-' )+. */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    /** The longest name accepted, in characters. */
    public static final int MAX_NAME = 255;

    private BundleNames() {
    }

    /** @return whether the value is an OSGi symbolic name of at most {@link #MAX_NAME} characters */
    public static boolean isSymbolicName(String value) {
        return value != null && value.length() <= MAX_NAME && SYMBOLIC_NAME.matcher(value).matches();
    }

    /**
     * @return the version in canonical form ({@link Version#toString()}), empty unless the value is
     *         non-blank, at most {@link #MAX_NAME} characters, and parses as an OSGi version
     */
    public static Optional<String> canonicalVersion(String value) {
        // Version.parseVersion reads "" as 0.0.0: a version must be explicit.
        if (value == null || value.isBlank() || value.length() > MAX_NAME) {
            return Optional.empty();
        }
        try {
            return Optional.of(Version.parseVersion(value).toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @return the value quoted, cut to 80 characters, with control characters escaped, safe for a log line */
    public static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        value.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(value.length() > 80 ? "...'" : "'").toString();
    }
}
