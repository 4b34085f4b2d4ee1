package dev.cooperllm.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A token bucket per device: a misbehaving device (or a retry storm after an outage) cannot starve
 * the others. Per gateway instance; with several instances each enforces its own share.
 */
@Component
class RateLimiter {

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    RateLimiter(GatewayProperties properties) {
        this(properties.devicePerSecond(), properties.deviceBurst(), System::nanoTime);
    }

    RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** 0 when the request may pass, else the milliseconds until it would. */
    long tryAcquire(String key) {
        long now = nanoClock.getAsLong();
        double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {burst, now});
        synchronized (bucket) {
            double elapsed = (now - (long) bucket[1]) / 1e9;
            bucket[0] = Math.min(burst, bucket[0] + elapsed * perSecond);
            bucket[1] = now;
            if (bucket[0] >= 1) {
                bucket[0] -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - bucket[0]) / perSecond * 1000);
        }
    }

    /**
     * Forgets devices idle long enough for their bucket to be full again: keeping them would change no
     * answer, and without this the map grows with every device that ever called.
     */
    @Scheduled(fixedDelayString = "${cooperllm.gateway.rate-limiter-prune-ms:60000}")
    void prune() {
        long now = nanoClock.getAsLong();
        long refill = (long) Math.ceil(burst / perSecond * 1e9);
        buckets.entrySet().removeIf(e -> {
            double[] bucket = e.getValue();
            synchronized (bucket) {
                return now - (long) bucket[1] >= refill;
            }
        });
    }

    int size() {
        return buckets.size();
    }
}
