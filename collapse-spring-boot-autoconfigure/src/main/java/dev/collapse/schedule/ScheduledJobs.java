package dev.collapse.schedule;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The {@code @OncePerFleet} jobs of this node and what became of their fire times here, for the
 * meters ({@code collapse.schedule.runs}) and the actuator endpoint. Thread-safe.
 */
public final class ScheduledJobs {

	/** What became of one fire time on this node. */
	public enum Outcome {

		/** This node ran the job and it returned. */
		RUN,

		/** This node ran the job and it threw. */
		FAILED,

		/** Another node ran the job, or runs it now. */
		SKIPPED,

		/**
		 * The node that took the fire time stopped before it stored a completion (it died, or its
		 * lease ended): found by this node at a later fire time, and counted by one node only.
		 */
		LOST;

		/** The metric tag. */
		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/** Told of each job as it is registered, at startup; metrics bind their meters here. */
	@FunctionalInterface
	public interface Listener {

		void registered(Job job);

	}

	private final Map<String, Job> jobs = new ConcurrentHashMap<>();

	private final List<Listener> listeners;

	public ScheduledJobs(List<Listener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	/** The job {@code name}, registered with {@code cron} if it is new. */
	Job register(String name, String cron) {
		Job[] created = new Job[1];
		Job job = this.jobs.computeIfAbsent(name, (n) -> created[0] = new Job(n, cron));
		if (created[0] != null) {
			this.listeners.forEach((listener) -> listener.registered(job));
		}
		return job;
	}

	/** Every job registered so far. */
	public Collection<Job> jobs() {
		return Collections.unmodifiableCollection(this.jobs.values());
	}

	/** One {@code @OncePerFleet} job's counts on this node. */
	public static final class Job {

		private final String name;

		private final String cron;

		private final Map<Outcome, LongAdder> counts = new ConcurrentHashMap<>();

		private final AtomicReference<@Nullable Instant> lastLost = new AtomicReference<>();

		/** Set once, when the job is created, before any fire. */
		private volatile Supplier<Collection<Instant>> unsettled = List::of;

		Job(String name, String cron) {
			this.name = name;
			this.cron = cron;
			for (Outcome outcome : Outcome.values()) {
				this.counts.put(outcome, new LongAdder());
			}
		}

		public String name() {
			return this.name;
		}

		public String cron() {
			return this.cron;
		}

		/** Fire times with {@code outcome} on this node so far. */
		public long count(Outcome outcome) {
			return this.counts.get(outcome).sum();
		}

		/**
		 * Fire times this node skipped while another node ran them, whose outcome it has not seen
		 * yet: each is settled at a later fire, as done or lost.
		 */
		public Collection<Instant> unsettled() {
			return List.copyOf(this.unsettled.get());
		}

		void unsettled(Supplier<Collection<Instant>> fireTimes) {
			this.unsettled = fireTimes;
		}

		/** The nominal time of the latest lost run this node found, or {@code null}. */
		public @Nullable Instant lastLost() {
			return this.lastLost.get();
		}

		void add(Outcome outcome, Instant nominal) {
			this.counts.get(outcome).increment();
			if (outcome == Outcome.LOST) {
				this.lastLost.accumulateAndGet(nominal,
						(previous, found) -> (previous == null || found.isAfter(previous)) ? found : previous);
			}
		}

	}

}
