package dev.cooperllm.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceStateTest {

    @TempDir
    Path dir;

    @Test
    void aMeasuredRoundSurvivesARestartBitForBit() {
        Path f = dir.resolve("state");
        DeviceState s = DeviceState.load(f);
        s.enrolled("http://gw", "job-1", "dev-9", "token");
        float[] plus = {0.6931472f, Float.MIN_VALUE, 1e-30f};
        float[] minus = {0.1f + 0.2f, 3f, -0f};
        Measurement m = new Measurement(8, plus, minus, 0.5f, new Validation(0.25f, 0.75f, 4));
        s.pending(new DeviceState.Pending("job-1.3", 3, 2, "b-1", "dev-9-job-1.3", DeviceState.Phase.MEASURED, m));

        DeviceState back = DeviceState.load(f);
        assertThat(back.deviceId()).isEqualTo("dev-9");
        DeviceState.Pending p = back.pending();
        assertThat(p.idempotencyKey).isEqualTo("dev-9-job-1.3");
        assertThat(p.round).isEqualTo(3);
        assertThat(p.modelVersion).isEqualTo(2);
        assertThat(p.measurement.lossPlus()).containsExactly(plus);
        assertThat(p.measurement.lossMinus()).containsExactly(minus);
        assertThat(Float.floatToRawIntBits(p.measurement.lossMinus()[2])).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(p.measurement.lossZero()).isEqualTo(0.5f);
        assertThat(p.measurement.validation().accuracy()).isEqualTo(0.75f);
        assertThat(p.measurement.samples()).isEqualTo(8);

        back.clearPending();
        assertThat(DeviceState.load(f).pending()).isNull();
        assertThat(DeviceState.load(f).token()).isEqualTo("token");
    }
}
