package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard where users meet it: the launcher's platform serves it, a headless Chromium (Debian's
 * chromium and chromium-driver) logs in with the admin token, watches a round complete and pauses the
 * job. Without those two packages the test is skipped and says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("cooperllm.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("cooperllm.chromedriver", "/usr/bin/chromedriver"));
    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data", "../demo-data/sentences.csv"));

    private LocalPlatform platform;
    private WebDriver browser;
    private Thread fleet;
    private final AtomicBoolean running = new AtomicBoolean(true);

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED: the dashboard's browser test needs Debian's chromium and chromium-driver ("
                        + CHROMIUM + ", " + CHROMEDRIVER + "); install them with: apt-get install chromium chromium-driver");
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        // No sandbox as root; no background networking: this machine has no network beyond localhost.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() throws Exception {
        running.set(false);
        if (fleet != null) fleet.join(30_000);
        if (browser != null) browser.quit();
        if (platform != null) platform.close();
    }

    @Test
    void anAdminLogsInWatchesARoundCompleteAndPausesTheJob() {
        AdminClient admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "browser-test");
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", 50);
        spec.put("devicesPerRound", 1);
        spec.put("batchSize", 4);
        AdminClient.CreatedJob job = admin.createJob(spec);
        List<Example> data = DatasetLoader.load(DATA).subList(0, 40);
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("browser", true));
        Device device = new Device(client, new DjlDeviceModel(new ModelFactory().create(ModelConfig.tiny("full")), data),
                e.deviceId(), job.id());
        fleet = new Thread(() -> {
            while (running.get()) {
                try {
                    if (device.runOnce().isEmpty()) Thread.sleep(200);
                } catch (ApiException ignored) {
                    // a round closing under the device, or the job paused: poll again
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }, "browser-test-device");
        fleet.start();
        admin.startJob(job.id());

        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
        browser.get(platform.gatewayUrl() + "/");
        assertThat(browser.getTitle()).isEqualTo("CooperLLM dashboard");
        browser.findElement(By.id("token")).sendKeys(platform.adminToken());
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        WebElement row = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#jobs tr[data-id='" + job.id() + "']")));
        row.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-title"), "browser-test"));
        // A round completes: its row in the rounds table turns CLOSED.
        wait.until(d -> d.findElements(By.cssSelector("#rounds tbody .badge.CLOSED")).size() >= 1);
        WebElement pause = browser.findElement(By.cssSelector("#job [data-action=pause]"));
        wait.until(ExpectedConditions.elementToBeClickable(pause)).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-title"), "PAUSED"));
        assertThat(admin.job(job.id()).path("status").asString()).isEqualTo("PAUSED");
    }
}
