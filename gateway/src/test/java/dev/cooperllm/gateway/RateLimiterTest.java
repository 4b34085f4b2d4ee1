package dev.cooperllm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(2, 3, now::get);

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aBurstPassesThenTheNextRequestWaitsForOneToken() {
        assertThat(limiter.tryAcquire("d1")).isZero();
        assertThat(limiter.tryAcquire("d1")).isZero();
        assertThat(limiter.tryAcquire("d1")).isZero();
        // 2 tokens per second: an empty bucket needs 500 ms for the next one.
        assertThat(limiter.tryAcquire("d1")).isEqualTo(500);
        advanceMillis(200);
        assertThat(limiter.tryAcquire("d1")).isEqualTo(300);
        advanceMillis(300);
        assertThat(limiter.tryAcquire("d1")).isZero();
        assertThat(limiter.tryAcquire("d1")).isEqualTo(500);
    }

    @Test
    void idleTimeRefillsNoMoreThanTheBurst() {
        for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire("d1")).isZero();
        advanceMillis(60_000);
        for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire("d1")).isZero();
        assertThat(limiter.tryAcquire("d1")).isPositive();
    }

    @Test
    void devicesHaveSeparateBuckets() {
        for (int i = 0; i < 3; i++) assertThat(limiter.tryAcquire("greedy")).isZero();
        assertThat(limiter.tryAcquire("greedy")).isPositive();
        assertThat(limiter.tryAcquire("polite")).isZero();
    }

    @Test
    void idleDevicesWhoseBucketIsFullAgainAreForgotten() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(10, 20, () -> now[0]);
        limiter.tryAcquire("a");
        now[0] += 1_000_000_000L; // 1 s: a's bucket (burst 20 at 10/s) is not full yet
        limiter.tryAcquire("b");
        limiter.prune();
        assertThat(limiter.size()).isEqualTo(2);
        now[0] += 2_000_000_000L; // 3 s after a, 2 s after b: both full again
        limiter.prune();
        assertThat(limiter.size()).isZero();
    }
}
