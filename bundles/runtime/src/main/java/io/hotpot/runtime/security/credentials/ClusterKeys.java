package io.hotpot.runtime.security.credentials;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The cluster's Ed25519 keys, decoded: the private key this node signs with when it leads, and the
 * public keys whose signatures it accepts. Immutable and thread-safe.
 */
public final class ClusterKeys {

    private static final byte[] PROBE = "hotpot-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final PrivateKey signingKey;
    private final List<PublicKey> trustedKeys;

    /**
     * @param signingKey  an Ed25519 private key
     * @param trustedKeys Ed25519 public keys, at least one, one of which matches the signing key
     * @throws IllegalArgumentException if a key is not Ed25519, or no trusted key matches the
     *                                  signing key (the node would refuse its own rollouts)
     */
    public ClusterKeys(PrivateKey signingKey, List<PublicKey> trustedKeys) {
        this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
        this.trustedKeys = List.copyOf(trustedKeys);
        if (!isEd25519(signingKey)) {
            throw new IllegalArgumentException(ClusterSecrets.SIGNING_KEY + " is a " + signingKey.getAlgorithm()
                    + " key, not Ed25519");
        }
        if (this.trustedKeys.isEmpty()) {
            throw new IllegalArgumentException(ClusterSecrets.TRUSTED_KEYS + " is empty");
        }
        for (int i = 0; i < this.trustedKeys.size(); i++) {
            if (!isEd25519(this.trustedKeys.get(i))) {
                throw new IllegalArgumentException(ClusterSecrets.TRUSTED_KEYS + "[" + i + "] is a "
                        + this.trustedKeys.get(i).getAlgorithm() + " key, not Ed25519");
            }
        }
        if (!signsForATrustedKey()) {
            throw new IllegalArgumentException(ClusterSecrets.SIGNING_KEY + " matches none of the "
                    + this.trustedKeys.size() + " " + ClusterSecrets.TRUSTED_KEYS
                    + ": this node would refuse its own rollouts; put its public key in " + ClusterSecrets.TRUSTED_KEYS);
        }
    }

    /**
     * Decodes the keys as {@link ClusterSecrets} holds them.
     *
     * @throws IllegalArgumentException naming the key (and its index in the trusted list) whose
     *                                  value is not valid base64 or not a valid key encoding
     */
    public static ClusterKeys decode(ClusterSecrets secrets) {
        PrivateKey signing;
        try {
            signing = KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(base64(secrets.signingKey(), ClusterSecrets.SIGNING_KEY)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(ClusterSecrets.SIGNING_KEY + " is not an Ed25519 PKCS#8 private key: "
                    + e.getMessage(), e);
        }
        List<PublicKey> trusted = new ArrayList<>();
        for (int i = 0; i < secrets.trustedKeys().size(); i++) {
            trusted.add(decodePublic(secrets.trustedKeys().get(i), ClusterSecrets.TRUSTED_KEYS + "[" + i + "]"));
        }
        return new ClusterKeys(signing, trusted);
    }

    /**
     * @param base64 an Ed25519 public key, base64 of its X.509 encoding
     * @param name   how to name it in errors
     * @throws IllegalArgumentException if it is not one
     */
    public static PublicKey decodePublic(String base64, String name) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(base64(base64, name)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(name + " is not an Ed25519 X.509 public key: " + e.getMessage(), e);
        }
    }

    /** @return the key this node signs rollout tickets with when it leads */
    public PrivateKey signingKey() {
        return signingKey;
    }

    /** @return the keys whose signatures this node accepts, the cluster's own first */
    public List<PublicKey> trustedKeys() {
        return trustedKeys;
    }

    private boolean signsForATrustedKey() {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(signingKey);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            for (PublicKey key : trustedKeys) {
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(PROBE);
                if (verifier.verify(signature)) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the cluster keys: " + e.getMessage(), e);
        }
    }

    private static boolean isEd25519(java.security.Key key) {
        // The JDK names every EdDSA key "EdDSA"; the curve is in its parameters (Ed448 is refused).
        return key instanceof java.security.interfaces.EdECKey ed && "Ed25519".equals(ed.getParams().getName());
    }

    private static byte[] base64(String value, String name) {
        try {
            return Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " is not base64: " + e.getMessage(), e);
        }
    }
}
