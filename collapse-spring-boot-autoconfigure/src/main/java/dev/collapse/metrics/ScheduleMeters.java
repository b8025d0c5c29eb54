package dev.collapse.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.collapse.schedule.ScheduledJobs;

/**
 * {@code collapse.schedule.runs}, tagged {@code name} and {@code outcome}: what became of the
 * fire times of each {@code @OncePerFleet} job on this node.
 */
public final class ScheduleMeters implements ScheduledJobs.Listener {

	private final MeterRegistry registry;

	public ScheduleMeters(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void registered(ScheduledJobs.Job job) {
		for (ScheduledJobs.Outcome outcome : ScheduledJobs.Outcome.values()) {
			FunctionCounter.builder("collapse.schedule.runs", job, (j) -> j.count(outcome))
				.tag("name", job.name())
				.tag("outcome", outcome.tag())
				.description("Fire times of a once-per-fleet job: run or failed here, skipped (another node ran "
						+ "it), lost (its node stopped before completing it)")
				.register(this.registry);
		}
	}

}
