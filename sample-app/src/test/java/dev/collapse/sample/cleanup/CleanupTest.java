package dev.collapse.sample.cleanup;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.collapse.schedule.ScheduledJobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The sample's cleanup runs on its schedule, knows its fire time, and is counted. */
@SpringBootTest(properties = "sample.cleanup.cron=* * * * * *")
class CleanupTest {

	@Autowired
	NightlyCleanup cleanup;

	@Autowired
	ScheduledJobs jobs;

	@Test
	void runsEachFireTimeAndCountsIt() {
		await().atMost(Duration.ofSeconds(20)).until(() -> this.cleanup.runs().size() >= 2);
		assertThat(this.cleanup.runs()).allSatisfy((run) -> assertThat(run.fireTime()).isNotNull());
		assertThat(this.jobs.jobs()).singleElement()
			.satisfies((job) -> assertThat(job.count(ScheduledJobs.Outcome.RUN)).isGreaterThanOrEqualTo(2));
	}

}
