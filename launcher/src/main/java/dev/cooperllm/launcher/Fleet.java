package dev.cooperllm.launcher;

import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.RoundReport;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated devices: each enrols through the gateway with the SDK and works on its own private
 * partition, exactly as an app on a phone would; a couple of worker threads share them (the
 * machine's cores are the limit, not the protocol).
 */
public final class Fleet implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Fleet.class);

    private final List<Device> devices = new ArrayList<>();
    private final List<DjlDeviceModel> models = new ArrayList<>();
    private final List<RoundReport> reports = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean();
    private final int threads;
    private ExecutorService pool;

    public Fleet(String gatewayUrl, String jobId, String enrolmentSecret, ModelFactory factory, ModelConfig config,
            List<List<Example>> partitions, int threads) {
        this.threads = threads;
        for (int i = 0; i < partitions.size(); i++) {
            CooperClient client = new CooperClient(URI.create(gatewayUrl));
            CooperClient.Enrolment e = client.enroll(jobId, enrolmentSecret,
                    Map.of("kind", "simulated", "index", i, "examples", partitions.get(i).size()));
            FederatedModel model = factory.create(config);
            DjlDeviceModel deviceModel = new DjlDeviceModel(model, partitions.get(i));
            models.add(deviceModel);
            devices.add(new Device(client, deviceModel, e.deviceId(), jobId));
        }
    }

    public List<Device> devices() {
        return devices;
    }

    /** Every device's report so far (bytes, loss, how it synced its model). */
    public List<RoundReport> reports() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Starts polling: each worker cycles through its share of the devices until {@link #close()}. */
    public void start() {
        running.set(true);
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fleet");
            t.setDaemon(true);
            return t;
        });
        for (int w = 0; w < threads; w++) {
            int worker = w;
            pool.submit(() -> work(worker));
        }
    }

    private void work(int worker) {
        while (running.get()) {
            boolean any = false;
            for (int i = worker; i < devices.size() && running.get(); i += threads) {
                Device d = devices.get(i);
                try {
                    var report = d.runOnce();
                    if (report.isPresent()) {
                        reports.add(report.get());
                        any = true;
                    }
                } catch (ApiException e) {
                    // Rounds close under a device's feet (deadline, quorum): that is normal churn, not a failure.
                    if (!e.transientFailure() && !"round-closed".equals(e.reason())) {
                        errors.add(d.deviceId() + ": " + e.getMessage());
                    }
                    log.debug("device {}: {}", d.deviceId(), e.getMessage());
                } catch (RuntimeException e) {
                    errors.add(d.deviceId() + ": " + e);
                    log.warn("device {} failed a round", d.deviceId(), e);
                }
            }
            if (!any) {
                try {
                    Thread.sleep(100); // nothing due: wait as the server's Retry-After suggests, but shorter
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        models.forEach(DjlDeviceModel::close);
    }
}
