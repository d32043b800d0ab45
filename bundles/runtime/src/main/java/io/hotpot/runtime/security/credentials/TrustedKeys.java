package io.hotpot.runtime.security.credentials;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * The Ed25519 public keys whose signatures a node accepts, and the one check every signed value
 * (ticket, membership proof, apply report) goes through. Immutable and thread-safe: each check uses
 * its own {@link Signature}.
 */
public final class TrustedKeys {

    private final List<PublicKey> keys;

    /**
     * @param keys at least one Ed25519 public key
     * @throws IllegalArgumentException if the list is empty
     */
    public TrustedKeys(List<PublicKey> keys) {
        this.keys = List.copyOf(keys);
        if (this.keys.isEmpty()) {
            throw new IllegalArgumentException("no trusted key");
        }
    }

    /**
     * @param bytes     what was signed
     * @param signature the signature to check
     * @return whether one of the keys verifies it
     * @throws GeneralSecurityException if the signature is malformed (e.g. a point not on the curve)
     */
    public boolean verify(byte[] bytes, byte[] signature) throws GeneralSecurityException {
        for (PublicKey key : keys) {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(bytes);
            if (verifier.verify(signature)) {
                return true;
            }
        }
        return false;
    }

    /** @return how many keys there are, at least 1 */
    public int size() {
        return keys.size();
    }
}
