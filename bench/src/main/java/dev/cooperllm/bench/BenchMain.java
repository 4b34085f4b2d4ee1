package dev.cooperllm.bench;

import java.util.Arrays;

/**
 * Entry point of the bench jar: {@code jmh [JMH options…]} runs the micro-benchmarks,
 * {@code codec-sizes} prints the bundle size per bit width next to the codec timings,
 * {@code generator-cpu} the generator's throughput per CPU-second (for shared machines),
 * {@code experiment …} the paper-claim experiments (docs/experiments.md), {@code stats …} mean ± sd of
 * several seeds' experiment outputs, {@code memory …} the device
 * memory of a ZOO step (DJL or ONNX Runtime, downloaded or layer-wise) against a backprop step, each in its
 * own JVM, {@code upload-time …} one device round's time to first loss and to upload over a simulated link.
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
            case "experiment":
                System.exit(dev.cooperllm.bench.experiment.ExperimentMain.run(rest));
                break;
            case "stats":
                System.exit(dev.cooperllm.bench.experiment.ExperimentStats.run(rest));
                break;
            case "ingest":
                System.exit(dev.cooperllm.bench.ingest.IngestBench.run(rest));
                break;
            case "memory":
                System.exit(dev.cooperllm.bench.memory.MemoryMain.run(rest));
                break;
            case "upload-time":
                System.exit(dev.cooperllm.bench.uplink.UplinkMain.run(rest));
                break;
            default:
                usage();
                System.exit(2);
        }
    }

    private static void usage() {
        System.err.println("usage: java -jar cooperllm-bench.jar jmh [JMH options…] | codec-sizes | generator-cpu | experiment … | stats … | memory … | upload-time … | ingest …");
    }
}
