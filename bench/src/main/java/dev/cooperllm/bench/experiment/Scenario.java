package dev.cooperllm.bench.experiment;

import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.DeviceData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.data.Partitioner;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * The data of one experiment: the cloud's public examples (one domain, or another file), and the
 * devices' domains split into a central validation set (step-size tuning only), a test set, and the
 * devices' private partitions, each split by {@link DeviceData} into training examples and a
 * validation slice exactly as a device running the SDK splits its own.
 */
record Scenario(List<Example> publicData, List<Example> validation, List<Example> test, List<SimulatedDevice> devices,
        int deviceTrainExamples, int numClasses) {

    static Scenario load(ExperimentConfig cfg, PrintStream log) {
        List<Example> all = DatasetLoader.load(cfg.data());
        if (all.isEmpty()) throw new IllegalArgumentException("--data: " + cfg.data() + " has no examples");
        List<Example> publicSource = cfg.publicData() == null ? all : DatasetLoader.load(cfg.publicData());
        int numClasses = Math.max(2, java.util.stream.Stream.concat(all.stream(), publicSource.stream())
                .mapToInt(Example::label).max().orElse(1) + 1);
        List<Example> pub = DataSplit.inDomains(publicSource, new HashSet<>(cfg.publicDomains()));
        if (pub.isEmpty()) {
            throw new IllegalArgumentException("--public-domain: no examples in domain(s) " + cfg.publicDomains()
                    + "; the file has " + DataSplit.byDomain(publicSource).keySet());
        }
        // As the trainer caps a job's public data (DataSplit.sample with the model seed).
        List<Example> publicData = cfg.publicSize() > 0 && cfg.publicSize() < pub.size()
                ? DataSplit.sample(pub, cfg.publicSize(), cfg.seed()) : List.copyOf(pub);
        List<Example> deviceDomains = cfg.publicData() == null ? DataSplit.notInDomains(all, new HashSet<>(cfg.publicDomains())) : all;
        if (deviceDomains.isEmpty()) throw new IllegalArgumentException("no device data: every domain is public");
        DataSplit split = DataSplit.of(deviceDomains, cfg.validationFraction(), cfg.testFraction(), cfg.seed());
        List<Example> test = cfg.maxTestExamples() > 0 && split.test().size() > cfg.maxTestExamples()
                ? split.test().subList(0, cfg.maxTestExamples()) : split.test();
        List<List<Example>> partitions = Partitioner.parse(cfg.partition(), cfg.seed()).partition(split.train(), cfg.devices());
        List<SimulatedDevice> devices = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            if (partitions.get(i).isEmpty()) continue;
            devices.add(new SimulatedDevice(String.format(Locale.ROOT, "device-%04d", i), DeviceData.split(partitions.get(i))));
        }
        int held = devices.stream().mapToInt(d -> d.data().validation().size()).sum();
        log.printf(Locale.ROOT, "data: %d public (%s), device train %d over %d devices (%d empty; %d held out on the devices "
                        + "for federated evaluation), central validation %d, test %d, %d classes%n",
                publicData.size(), String.join(",", cfg.publicDomains()), split.train().size(), cfg.devices(),
                cfg.devices() - devices.size(), held, split.validation().size(), test.size(), numClasses);
        return new Scenario(publicData, split.validation(), test, devices, split.train().size(), numClasses);
    }
}
