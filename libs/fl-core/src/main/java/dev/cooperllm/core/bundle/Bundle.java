package dev.cooperllm.core.bundle;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A bundle read whole: header plus the dequantised basis. The server builds its directions from
 * this, not from the trainer's original basis, so both sides use the same bits.
 */
public final class Bundle {
    private final BundleHeader header;
    private final Basis basis;
    private final String sha256;

    private Bundle(BundleHeader header, Basis basis, String sha256) {
        this.header = header;
        this.basis = basis;
        this.sha256 = sha256;
    }

    public static Bundle read(byte[] bytes, ParameterManifest manifest) {
        Collector c = new Collector(manifest);
        BundleReader.read(new ByteArrayInputStream(bytes), manifest, c);
        return new Bundle(c.header, Basis.of((int) manifest.size(), c.vectors), c.sha256);
    }

    public BundleHeader header() { return header; }
    public Basis basis() { return basis; }
    public String sha256() { return sha256; }

    /** The round's directions exactly as a device that received this bundle forms them. */
    public DirectionSet directions(ParameterManifest manifest) {
        if (!manifest.sha256().equals(header.manifestSha256())) {
            throw new IllegalArgumentException("bundle is for manifest " + header.manifestSha256() + ", not " + manifest.sha256());
        }
        long[] seeds = header.directionSeeds();
        if (seeds != null) {
            return DirectionSet.ofSeeds(manifest, seeds, header.alpha(), header.beta(), header.mode(), basis);
        }
        return DirectionSet.of(manifest, header.roundSeed(), header.k(), header.alpha(), header.beta(), header.mode(), basis);
    }

    private static final class Collector implements BundleListener {
        private final ParameterManifest manifest;
        BundleHeader header;
        final List<float[]> vectors = new ArrayList<>();
        String sha256;

        Collector(ParameterManifest manifest) { this.manifest = manifest; }

        @Override
        public void onHeader(BundleHeader h) {
            header = h;
            for (int j = 0; j < h.basisRank(); j++) vectors.add(new float[(int) manifest.size()]);
        }

        @Override
        public void onTensor(int tensorIndex, float[][] slices) {
            int off = (int) manifest.tensor(tensorIndex).offset();
            for (int j = 0; j < slices.length; j++) System.arraycopy(slices[j], 0, vectors.get(j), off, slices[j].length);
        }

        @Override
        public void onComplete(String sha) { sha256 = sha; }
    }
}
