package dev.cooperllm.core.rng;

/**
 * Tables of the 128-layer Marsaglia–Tsang ziggurat for N(0,1), built once with StrictMath so every
 * JVM computes the same bits. Layer 0 is the base strip plus tail; the tail starts at {@link #R}.
 *
 * <p>Unlike the original (which reuses the layer bits as part of the uniform), a 32-bit word is
 * split into 7 layer bits, 1 sign bit and a 24-bit uniform, so no bit serves twice.
 */
final class Ziggurat {
    static final int LAYERS = 128;
    static final double R = 3.442619855899;
    private static final double V = 9.91256303526217e-3;
    /** The uniform has 24 bits: exactly what a float mantissa holds, so u·w is one rounding. */
    static final double SCALE = 16777216.0;

    /** Accept the fast path when u < K[i]. */
    static final int[] K = new int[LAYERS];
    /** x = u · W[i] (float, used on the fast path). */
    static final float[] W = new float[LAYERS];
    /** The same widths in double for the slow path. */
    static final double[] WD = new double[LAYERS];
    /** f(x_i) = exp(-x_i²/2). */
    static final double[] F = new double[LAYERS];

    static {
        double dn = R;
        double tn = dn;
        double q = V / StrictMath.exp(-0.5 * dn * dn);
        K[0] = (int) ((dn / q) * SCALE);
        K[1] = 0;
        WD[0] = q / SCALE;
        WD[LAYERS - 1] = dn / SCALE;
        F[0] = 1.0;
        F[LAYERS - 1] = StrictMath.exp(-0.5 * dn * dn);
        for (int i = LAYERS - 2; i >= 1; i--) {
            dn = StrictMath.sqrt(-2.0 * StrictMath.log(V / dn + StrictMath.exp(-0.5 * dn * dn)));
            K[i + 1] = (int) ((dn / tn) * SCALE);
            tn = dn;
            F[i] = StrictMath.exp(-0.5 * dn * dn);
            WD[i] = dn / SCALE;
        }
        for (int i = 0; i < LAYERS; i++) W[i] = (float) WD[i];
    }

    private Ziggurat() {}
}
