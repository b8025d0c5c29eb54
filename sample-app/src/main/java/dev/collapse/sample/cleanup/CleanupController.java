package dev.collapse.sample.cleanup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.collapse.schedule.ScheduledJobs;

/** The cleanup's runs on this instance and what became of each fire time here. */
@RestController
public class CleanupController {

	private final NightlyCleanup cleanup;

	private final ObjectProvider<ScheduledJobs> jobs;

	CleanupController(NightlyCleanup cleanup, ObjectProvider<ScheduledJobs> jobs) {
		this.cleanup = cleanup;
		this.jobs = jobs;
	}

	@GetMapping("/api/cleanup")
	Map<String, Object> cleanup() {
		Map<String, Long> outcomes = new LinkedHashMap<>();
		ScheduledJobs known = this.jobs.getIfAvailable();
		if (known != null) {
			known.jobs().stream().filter((job) -> job.name().equals("cleanup")).forEach((job) -> {
				for (ScheduledJobs.Outcome outcome : ScheduledJobs.Outcome.values()) {
					outcomes.put(outcome.tag(), job.count(outcome));
				}
			});
		}
		List<NightlyCleanup.Run> runs = this.cleanup.runs();
		return Map.of("runs", runs, "outcomes", outcomes);
	}

	/** Turns on {@code @Scheduled}, for the cleanup. */
	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class Scheduling {

	}

}
