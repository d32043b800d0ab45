package io.hotpot.runtime.follower;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.remoteserviceadmin.EndpointDescription;
import org.osgi.service.remoteserviceadmin.ExportReference;
import org.osgi.service.remoteserviceadmin.RemoteServiceAdmin;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Remote Service Admin endpoint under which this node's {@code FollowerService} is exported,
 * read from the framework's own {@link RemoteServiceAdmin} (OSGi Compendium R8 122.10,
 * {@code getExportedServices}), never from ZooKeeper, whose {@code /osgi} znodes anyone may write.
 * Thread-safe. Lifecycle: {@link #start()}, then {@link #close()}.
 */
public final class ExportedEndpoint implements java.io.Closeable {

    /** The endpoint property in which Aries RSA's fastbin provider says where it serves the endpoint. */
    public static final String FASTBIN_ADDRESS = "aries.fastbin.address";

    /**
     * Where this node's service is exported.
     *
     * @param endpointId its {@code endpoint.id}
     * @param address    its {@value #FASTBIN_ADDRESS}
     */
    public record Address(String endpointId, String address) {
    }

    private final org.osgi.util.tracker.ServiceTracker<RemoteServiceAdmin, RemoteServiceAdmin> admins;
    private final AtomicReference<ServiceReference<?>> exported = new AtomicReference<>();

    /** @param context the runtime bundle's context */
    public ExportedEndpoint(BundleContext context) {
        this.admins = new org.osgi.util.tracker.ServiceTracker<>(Objects.requireNonNull(context, "context"),
                RemoteServiceAdmin.class, null);
    }

    /**
     * Starts tracking Remote Service Admin. The service is held, not got and released per call:
     * Aries RSA's {@code RemoteServiceAdmin} is a service factory that, when a bundle releases its
     * last use, closes every export of that bundle's services, this node's endpoint included.
     */
    public void start() {
        admins.open();
    }

    /** Releases Remote Service Admin. Idempotent. */
    @Override
    public void close() {
        admins.close();
    }

    /** @param reference this node's {@code FollowerService} registration, once registered */
    public void exportedAs(ServiceReference<?> reference) {
        exported.set(Objects.requireNonNull(reference, "reference"));
    }

    /** @return the endpoint, or empty if the service is not registered or not exported (yet) */
    public Optional<Address> get() {
        ServiceReference<?> own = exported.get();
        if (own == null) {
            return Optional.empty();
        }
        for (RemoteServiceAdmin admin : admins.getServices(new RemoteServiceAdmin[0])) {
            for (ExportReference export : admin.getExportedServices()) {
                EndpointDescription endpoint = export.getExportedEndpoint();
                if (endpoint != null && own.equals(export.getExportedService())
                        && endpoint.getProperties().get(FASTBIN_ADDRESS) instanceof String address) {
                    return Optional.of(new Address(endpoint.getId(), address));
                }
            }
        }
        return Optional.empty();
    }
}
