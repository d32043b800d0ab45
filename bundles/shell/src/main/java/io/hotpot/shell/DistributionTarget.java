package io.hotpot.shell;

/**
 * What {@code hot:distribute} was asked to send: a bundle installed on this node, or the bytes at
 * a URL. Immutable.
 *
 * @param bundleId the local bundle id, or -1 when {@code url} is set
 * @param url      the URL to read, or null when {@code bundleId} is set
 */
record DistributionTarget(long bundleId, String url) {

    static DistributionTarget bundle(long id) {
        return new DistributionTarget(id, null);
    }

    static DistributionTarget url(String url) {
        return new DistributionTarget(-1, url);
    }

    boolean isBundle() {
        return url == null;
    }
}
