package dev.cooperllm.core.bundle;

/**
 * Receives a bundle as it streams in, so a device can start its forward passes on the first
 * tensors while later chunks are still downloading (SPC, docs/design.md §3). A call is only made once the
 * part it reports has been fully checked (CRC32C); the whole-bundle SHA-256 is known only at
 * {@link #onComplete}, so a caller that must not act on an unauthenticated bundle waits for it.
 */
public interface BundleListener {
    void onHeader(BundleHeader header);

    /** {@code basisSlices[j]} is tensor {@code tensorIndex}'s slice of basis vector j, dequantised. */
    void onTensor(int tensorIndex, float[][] basisSlices);

    /** Lower-case hex SHA-256 of every byte before the digest itself. */
    void onComplete(String sha256);
}
