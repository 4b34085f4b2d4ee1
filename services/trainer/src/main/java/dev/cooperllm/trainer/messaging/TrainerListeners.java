package dev.cooperllm.trainer.messaging;

import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.trainer.domain.GuidanceService;
import dev.cooperllm.trainer.domain.InitialModelService;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class TrainerListeners {

    @Bean
    Consumer<RoundEvent> onRoundEvent(GuidanceService guidance, InitialModelService initialModels) {
        return event -> {
            switch (event.type()) {
                case JOB_STARTED -> initialModels.onJobStarted(event);
                case ROUND_OPENED -> guidance.onRoundOpened(event);
                case JOB_ENDED -> guidance.forget(event.jobId());
                default -> {
                }
            }
        };
    }
}
