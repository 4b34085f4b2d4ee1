package dev.cooperllm.bench;

import java.util.Arrays;

/**
 * Entry point of the bench jar: {@code jmh [JMH options…]} runs the micro-benchmarks,
 * {@code codec-sizes} prints the bundle size per bit width next to the codec timings,
 * {@code generator-cpu} the generator's throughput per CPU-second (for shared machines),
 * {@code experiment …} the paper-claim experiments.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
            return;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "jmh":
                org.openjdk.jmh.Main.main(rest);
                break;
            case "codec-sizes":
                dev.cooperllm.bench.jmh.CodecSizes.report(System.out);
                break;
            case "generator-cpu":
                dev.cooperllm.bench.jmh.GeneratorCpuTime.report(System.out);
                break;
            // ---- experiment runner: placeholder, to be filled in by the experiments work ----
            case "experiment":
                System.err.println("experiment: not yet available");
                System.exit(2);
                break;
            default:
                usage();
                System.exit(2);
        }
    }

    private static void usage() {
        System.err.println("usage: java -jar cooperllm-bench.jar jmh [JMH options…] | codec-sizes | generator-cpu | experiment …");
    }
}
