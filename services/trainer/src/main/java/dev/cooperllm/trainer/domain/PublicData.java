package dev.cooperllm.trainer.domain;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The cloud's public examples per job: loaded once, filtered to the job's domains, capped at publicSize.
 * A job names its file by path; when {@code cooperllm.trainer.data-dir} is set, only files under that
 * folder can be named, so a job spec cannot make the trainer read anything else on the server.
 */
@Component
public class PublicData {

    private final Map<String, List<Example>> byJob = new ConcurrentHashMap<>();
    private final Path dataDir;

    public PublicData(@Value("${cooperllm.trainer.data-dir:}") String dataDir) {
        this.dataDir = dataDir.isBlank() ? null : Path.of(dataDir).toAbsolutePath().normalize();
    }

    public List<Example> forJob(String jobId, JobSpec spec) {
        return byJob.computeIfAbsent(jobId, id -> load(spec));
    }

    public void forget(String jobId) {
        byJob.remove(jobId);
    }

    private List<Example> load(JobSpec spec) {
        Path path = Path.of(spec.publicDataPath()).toAbsolutePath().normalize();
        if (dataDir != null && !path.startsWith(dataDir)) {
            throw new IllegalStateException("public data must lie under " + dataDir + ", not " + path);
        }
        if (!Files.isReadable(path)) throw new IllegalStateException("public data file not readable: " + path);
        List<Example> all = DatasetLoader.load(path);
        List<Example> chosen = spec.publicDomains().isEmpty() ? all
                : DataSplit.inDomains(all, new HashSet<>(spec.publicDomains()));
        if (chosen.isEmpty()) {
            throw new IllegalStateException("no public examples in " + path + " for domains " + spec.publicDomains());
        }
        return spec.publicSize() > 0 && spec.publicSize() < chosen.size()
                ? DataSplit.sample(chosen, spec.publicSize(), spec.modelSeed()) : List.copyOf(chosen);
    }
}
