package dev.collapse.schedule;

import java.util.List;

/** Registers a job as startup does, for tests of other packages. */
public final class Jobs {

	private Jobs() {
	}

	public static ScheduledJobs.Job register(List<ScheduledJobs.Listener> listeners, String name, String cron) {
		return new ScheduledJobs(listeners).register(name, cron);
	}

}
