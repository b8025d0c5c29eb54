package dev.collapse.schedule;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.schedule.ScheduledJobs.Outcome;

/**
 * One {@code @OncePerFleet} job: each fire is a call of its collapse instance with the nominal
 * fire time as the key, so the lease, its renewal and the fenced completion are those of any load.
 * The value stored is a marker of what happened: run, failed or lost.
 *
 * <p>Lost runs: a node that waited for another node's run and gave up keeps the fire time, and at
 * its next fires calls the instance for it again with a loader that runs nothing and stores
 * {@link #LOST}. While the other node still holds the lease the call times out (still running);
 * once it has stored its marker the call reads it; if its lease ended without a marker, exactly one
 * node leads that key, stores {@code LOST} and counts it.
 */
final class OncePerFleetJob {

	static final String RUN = "run";

	static final String FAILED = "failed";

	static final String LOST = "lost";

	/** Most fire times kept to check; the oldest go first. */
	private static final int MAX_PENDING = 32;

	private static final System.Logger logger = System.getLogger(OncePerFleetJob.class.getName());

	private final CollapseInstance instance;

	private final ScheduledJobs.Job job;

	private final Clock clock;

	/**
	 * Fire times another node held when this one gave up waiting, each with the last time this
	 * node found it still held (its completion, if any, came later); written by the fires only.
	 */
	private final NavigableMap<Instant, Instant> pending = new ConcurrentSkipListMap<>();

	OncePerFleetJob(CollapseInstance instance, ScheduledJobs.Job job) {
		this(instance, job, Clock.systemUTC());
	}

	/** @param clock when a fire time was last found held, to tell whether its completion may have expired */
	OncePerFleetJob(CollapseInstance instance, ScheduledJobs.Job job, Clock clock) {
		this.instance = instance;
		this.job = job;
		this.clock = clock;
		job.unsettled(this.pending::keySet);
	}

	CollapseInstance instance() {
		return this.instance;
	}

	/** Runs the fire {@code nominal} here, unless another node ran it or runs it. */
	void fire(Instant nominal, MethodInvocation invocation) throws Throwable {
		checkPending();
		Throwable[] failure = new Throwable[1];
		boolean[] ran = new boolean[1];
		try {
			this.instance.call(nominal.toString(), () -> {
				ran[0] = true;
				try {
					proceed(invocation);
					return RUN;
				}
				catch (Throwable ex) {
					// stored as a marker, so that no node takes this run for lost
					failure[0] = ex;
					return FAILED;
				}
			});
		}
		catch (CollapseTimeoutException ex) {
			keep(nominal);
			this.job.add(Outcome.SKIPPED, nominal);
			return;
		}
		if (!ran[0]) {
			this.job.add(Outcome.SKIPPED, nominal);
			return;
		}
		this.job.add((failure[0] != null) ? Outcome.FAILED : Outcome.RUN, nominal);
		if (failure[0] != null) {
			throw failure[0];
		}
	}

	private void keep(Instant nominal) {
		this.pending.put(nominal, this.clock.instant());
		while (this.pending.size() > MAX_PENDING) {
			this.pending.pollFirstEntry();
		}
	}

	/**
	 * Settles the fire times other nodes held: done, still running, or lost (counted once). Not
	 * while the fleet's layer is down: this JVM alone never saw the other node's marker, so its
	 * absence here says nothing; nor once the marker may have expired.
	 */
	private void checkPending() {
		if (this.pending.isEmpty() || !fleetReachable()) {
			return;
		}
		for (Map.Entry<Instant, Instant> unsettled : this.pending.entrySet()) {
			Instant nominal = unsettled.getKey();
			if (!this.clock.instant().isBefore(unsettled.getValue().plus(this.instance.settings().ttl()))) {
				// a completion is kept for the instance's ttl from its end, which came after the
				// fire time was last found held; past that, a run that completed and a lost one
				// look alike: neither is counted here (a node that checked in time counted a lost one)
				this.pending.remove(nominal);
				continue;
			}
			boolean[] found = new boolean[1];
			try {
				this.instance.call(nominal.toString(), () -> {
					if (!fleetReachable()) {
						// the call fell back to this JVM since the check above
						throw new IllegalStateException("the fleet's layer is unavailable");
					}
					found[0] = true;
					return LOST;
				});
				this.pending.remove(nominal);
				if (found[0]) {
					this.job.add(Outcome.LOST, nominal);
					logger.log(System.Logger.Level.WARNING, "The run of scheduled job ''{0}'' for {1} was lost: the node "
							+ "that took it stopped before it completed; it is not run again", this.instance.name(), nominal);
				}
			}
			catch (CollapseTimeoutException ex) {
				// still running on the node that holds it
				this.pending.replace(nominal, this.clock.instant());
			}
			catch (Throwable ex) {
				// the layer failed: check again at the next fire
				return;
			}
		}
	}

	/** Whether what this JVM finds of a fire time is the fleet's: without a fleet at all, it is. */
	private boolean fleetReachable() {
		return !this.instance.distributed() || this.instance.fleetAvailable();
	}

	/** A fresh copy of the invocation, so that every interceptor after ours runs again. */
	static void proceed(MethodInvocation invocation) throws Throwable {
		if (invocation instanceof ProxyMethodInvocation proxyInvocation) {
			proxyInvocation.invocableClone().proceed();
		}
		else {
			invocation.proceed();
		}
	}

}
