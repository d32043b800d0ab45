package io.hotpot.runtime.security.names;

import io.hotpot.runtime.artifact.BundleNames;
import io.hotpot.runtime.security.SecurityRefusal;
import io.hotpot.runtime.security.SecurityRefusal.Reason;
import org.osgi.framework.Version;

import java.util.regex.Pattern;

/**
 * The forms that names and ids received from other nodes must have before anything uses them, in
 * particular before any of them becomes part of a file name or a znode path. None of the accepted
 * forms can hold a path separator, {@code ..} as a whole name, a control character or a space.
 * Stateless and thread-safe.
 */
public final class RemoteNames {

    /** What ClusterService generates ({@code r-20261121-142430-57ee}), with room for other leaders' forms. */
    private static final Pattern ROLLOUT_ID = Pattern.compile("r-[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    /** What InboundTransfers generates: {@code t-} and a UUID. */
    private static final Pattern TRANSFER_ID = Pattern.compile("t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** A SHA-256 digest as Hotpot writes it: 64 lower-case hex characters. */
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** As {@code node.id} in NodeSettings, bounded. */
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    private static final int MAX_NAME = BundleNames.MAX_NAME;

    private RemoteNames() {
    }

    /** @throws SecurityRefusal ({@link Reason#NAME}) unless the value is an OSGi symbolic name of at most 255 characters */
    public static String requireSymbolicName(String value) throws SecurityRefusal {
        if (!BundleNames.isSymbolicName(value)) {
            throw refusal("symbolic name", value);
        }
        return value;
    }

    /**
     * @return the version in canonical form ({@link Version#toString()})
     * @throws SecurityRefusal ({@link Reason#NAME}) unless the value is non-blank and parses as an OSGi version
     */
    public static String requireVersion(String value) throws SecurityRefusal {
        return BundleNames.canonicalVersion(value).orElseThrow(() -> refusal("version", value));
    }

    /** @throws SecurityRefusal ({@link Reason#NAME}) unless the value has the form of a rollout id */
    public static String requireRolloutId(String value) throws SecurityRefusal {
        return require(value, ROLLOUT_ID, "rollout id");
    }

    /** @throws SecurityRefusal ({@link Reason#NAME}) unless the value has the form of a transfer id */
    public static String requireTransferId(String value) throws SecurityRefusal {
        return require(value, TRANSFER_ID, "transfer id");
    }

    /** @throws SecurityRefusal ({@link Reason#NAME}) unless the value is 64 lower-case hex characters */
    public static String requireSha256(String value) throws SecurityRefusal {
        return require(value, SHA256, "sha256");
    }

    /**
     * @param what how to name the value in the error, e.g. {@code leader id}
     * @throws SecurityRefusal ({@link Reason#NAME}) unless the value has the form of a node id
     */
    public static String requireNodeId(String value, String what) throws SecurityRefusal {
        return require(value, NODE_ID, what);
    }

    private static String require(String value, Pattern form, String what) throws SecurityRefusal {
        if (value == null || value.length() > MAX_NAME || !form.matcher(value).matches()) {
            throw refusal(what, value);
        }
        return value;
    }

    private static SecurityRefusal refusal(String what, String value) {
        return new SecurityRefusal(Reason.NAME, "invalid " + what + ": " + printable(value));
    }

    /** @return the value quoted, cut to 80 characters, with control characters escaped, safe for a log line */
    public static String printable(String value) {
        return BundleNames.printable(value);
    }
}
