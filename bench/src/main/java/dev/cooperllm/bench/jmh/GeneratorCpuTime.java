package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.rng.CounterRng;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Gaussian throughput per CPU-second of the generating thread, next to wall-clock throughput.
 * On a machine shared with other builds JMH's wall-clock figure mostly measures the neighbours;
 * the thread's CPU time is the "per core" cost the bar is about.
 */
public final class GeneratorCpuTime {
    private static final int N = 1 << 16;

    private GeneratorCpuTime() {}

    public static void report(PrintStream out) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        float[] buf = new float[N];
        long seed = 0;
        for (int i = 0; i < 3000; i++) CounterRng.gaussian(seed++, 3, 0, buf, 0, N);
        out.printf("%nGaussian generation, one thread, %d floats per call%n", N);
        out.printf("%10s %18s %18s%n", "round", "wall M floats/s", "CPU M floats/s");
        for (int r = 1; r <= 5; r++) {
            long wall0 = System.nanoTime();
            long cpu0 = mx.getCurrentThreadCpuTime();
            int calls = 0;
            while (System.nanoTime() - wall0 < 1_000_000_000L) {
                CounterRng.gaussian(seed++, 3, 0, buf, 0, N);
                calls++;
            }
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            double floats = (double) calls * N;
            out.printf("%10d %18.1f %18.1f%n", r, floats / wall / 1e6, floats / cpu / 1e6);
        }
    }
}
