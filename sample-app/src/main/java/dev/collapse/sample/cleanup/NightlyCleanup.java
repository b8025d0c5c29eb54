package dev.collapse.sample.cleanup;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.collapse.annotation.OncePerFleet;
import dev.collapse.schedule.FireTime;

/**
 * The article's midnight cleanup, every ten seconds so that it can be watched: with the redis
 * profile, one instance of the fleet runs each fire time and the others skip it.
 */
@Component
public class NightlyCleanup {

	private static final int KEPT = 10;

	/** This instance's latest runs, newest first; guarded by itself. */
	private final Deque<Run> runs = new ArrayDeque<>();

	@Scheduled(cron = "${sample.cleanup.cron}")
	@OncePerFleet(name = "cleanup")
	public void cleanup() {
		Instant nominal = FireTime.nominal();
		synchronized (this.runs) {
			this.runs.addFirst(new Run(nominal, Instant.now()));
			while (this.runs.size() > KEPT) {
				this.runs.removeLast();
			}
		}
	}

	/** The latest runs on this instance, newest first. */
	public List<Run> runs() {
		synchronized (this.runs) {
			return List.copyOf(this.runs);
		}
	}

	/**
	 * One run.
	 * @param fireTime the nominal fire time, the same on every instance
	 * @param startedAt when this instance started it
	 */
	public record Run(Instant fireTime, Instant startedAt) {
	}

}
