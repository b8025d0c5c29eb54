package dev.collapse.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedCoordinator.Outcome;
import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * The leader of a flight when the fleet serves the key: it hands the key to the
 * {@link DistributedCoordinator} (which may read the fleet's entry, wait for another node's load,
 * or run the load here under a lease) and completes the flight with the outcome. One flow,
 * {@link #serve}, for both forms: a synchronous caller runs it on its own thread, an asynchronous
 * one on the coordinator's executor, since it may block.
 *
 * <ul>
 * <li>Fallback: when the distributed layer fails before a load, the flight is led by
 * {@link LocalLeader} instead.</li>
 * <li>Hand-over: a leader interrupted while it waits for another node stops waiting alone; a
 * thread of the coordinator goes on serving the key for the followers.</li>
 * <li>Timed loads ({@link TimedLoad}): a load run here is reported like a local one, and its value
 * settles the flight at once, before Redis has it.</li>
 * <li>Early refresh through the fleet, kept apart from the flights (see {@link #refresh}).</li>
 * </ul>
 */
final class FleetLeader {

	private static final System.Logger logger = System.getLogger(CollapseInstance.class.getName());

	private final CollapseInstance instance;

	private final DistributedCoordinator coordinator;

	/**
	 * Keys whose early refresh through the fleet runs now, with the thread that runs it: added by
	 * that thread before the refresh, removed by it after. Read by the recursion guard.
	 */
	private final ConcurrentHashMap<Object, Thread> refreshing = new ConcurrentHashMap<>();

	FleetLeader(CollapseInstance instance) {
		this.instance = instance;
		this.coordinator = instance.coordinator;
	}

	/** Whether this thread runs the fleet's early refresh of {@code key}: a load calling its own key. */
	boolean refreshesOnThisThread(Object key) {
		return this.refreshing.get(key) == Thread.currentThread();
	}

	/** Leads {@code flight} through the fleet on this thread. */
	@Nullable Object lead(Object key, Flight flight, Loader loader) throws Throwable {
		Retry retry = this.instance.retry;
		return serveHere(key, flight, () -> retry.load(loader),
				() -> this.instance.localLeader.lead(key, flight, loader, true),
				(version) -> refresh(key, version, () -> retry.load(loader)));
	}

	/**
	 * Leads {@code flight} through the fleet on the coordinator's executor (the flow blocks); the
	 * caller has its future at once. Without a thread to be had, leads it in this JVM.
	 */
	void leadAsync(Object key, Flight flight, AsyncLoader loader) {
		Retry retry = this.instance.retry;
		Runnable flow = servedElsewhere(key, flight, () -> retry.await(loader), () -> {
			this.instance.localLeader.leadAsync(key, flight, loader, true);
			return null;
		}, (version) -> refresh(key, version, () -> retry.await(loader)));
		try {
			try {
				this.coordinator.executor().execute(flow);
			}
			catch (RejectedExecutionException ex) {
				this.instance.events.onFallback();
				this.instance.localLeader.leadAsync(key, flight, loader, true);
			}
		}
		catch (Throwable ex) {
			// no thread for another reason (an OutOfMemoryError "unable to create native thread"),
			// or the fallback's listener threw the JVM's own Error: the callers' futures get it
			this.instance.flights.fail(key, flight, ex);
		}
	}

	/** {@link #serve} on another thread, which delivers its outcome through the flight only. */
	private Runnable servedElsewhere(Object key, Flight flight, Loader attempts, Loader fallback,
			Consumer<@Nullable String> refresh) {
		return () -> {
			try {
				serveHere(key, flight, attempts, fallback, refresh);
			}
			catch (Throwable ex) {
				// delivered to every caller through the flight
			}
		};
	}

	/** {@link #serve} with this thread marked as the flight's loading thread while it runs. */
	private @Nullable Object serveHere(Object key, Flight flight, Loader attempts, Loader fallback,
			Consumer<@Nullable String> refresh)
			throws Throwable {
		flight.loadingThread = Thread.currentThread();
		try {
			return serve(key, flight, attempts, fallback, refresh);
		}
		finally {
			// not if the flight was handed over to another thread
			if (flight.loadingThread == Thread.currentThread()) {
				flight.loadingThread = null;
			}
		}
	}

	/**
	 * Hands {@code key} to the coordinator and completes {@code flight} with its outcome; falls back
	 * to {@code fallback} (a local leader's flow) when the distributed layer fails before a load.
	 * @param attempts the load with its retries
	 * @param refresh an early refresh of the key, given the version of the entry hit, submitted when
	 * X-Fetch says so on a hit
	 */
	private @Nullable Object serve(Object key, Flight flight, Loader attempts, Loader fallback,
			Consumer<@Nullable String> refresh)
			throws Throwable {
		InstanceEvents events = this.instance.events;
		TimedLoad load = new TimedLoad(key, attempts, flight);
		// whether another thread now serves the flight: only then does it outlive a throw here
		boolean handedOver = false;
		try {
			Outcome outcome;
			try {
				outcome = this.coordinator.serve(key, load, this.instance.waitTimeoutNanos);
			}
			catch (DistributedUnavailableException ex) {
				events.onFallback();
				return fallback.load();
			}
			catch (CollapseInterruptedException interrupted) {
				flight.loadingThread = null;
				handedOver = !load.ran && handOver(flight, servedElsewhere(key, flight, attempts, fallback, refresh));
				if (!handedOver) {
					this.instance.flights.complete(key, flight, null, interrupted, CallResult.FOLLOWER, load.nanos, events);
				}
				throw interrupted;
			}
			catch (Throwable failure) {
				this.instance.flights.complete(key, flight, null, failure, CallResult.FOLLOWER, load.nanos, events);
				if (load.ran) {
					events.onCall(CallResult.LEADER);
				}
				throw failure;
			}
			if (outcome.leaseLost()) {
				events.onLeaseLost();
			}
			this.instance.flights.complete(key, flight, outcome.value(), null,
					Flight.followersServedAs(outcome.served()), outcome.loadNanos(), events);
			events.onCall(outcome.served());
			if (outcome.served() == CallResult.HIT && shouldRefreshEarly(key, outcome)) {
				String version = outcome.version();
				this.instance.earlyRefresh.submit(() -> refresh.accept(version));
			}
			return outcome.value();
		}
		catch (Throwable ex) {
			// whatever escaped before the flight was complete (a listener's Error, an
			// OutOfMemoryError), it completes with it; a no-op once complete
			if (!handedOver) {
				this.instance.flights.fail(key, flight, ex);
			}
			throw ex;
		}
	}

	/**
	 * This node's leader was interrupted while it waited for another node: only it stops waiting.
	 * A thread of the coordinator runs {@code rest}, which goes on serving the key for the callers
	 * attached to the flight.
	 * @return whether the flight was handed over
	 */
	private boolean handOver(Flight flight, Runnable rest) {
		try {
			this.coordinator.executor().execute(rest);
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

	/** X-Fetch's dice for a hit on the fleet's entry; never while a flight of the key runs here. */
	private boolean shouldRefreshEarly(Object key, Outcome hit) {
		double beta = this.instance.settings.earlyRefreshBeta();
		if (beta == 0 || this.instance.refreshExecutor == null || hit.remainingNanos() <= 0) {
			return false;
		}
		long now = this.instance.ticker.read();
		return XFetch.shouldRefresh(now, now + hit.remainingNanos(), hit.loadNanos(), beta)
				&& this.instance.flights.get(key) == null;
	}

	/** Early refresh through the fleet: loads only if no node holds the key, else serves it as usual. */
	private void refresh(Object key, @Nullable String version, Loader attempts) {
		// kept apart from the flights: callers of this node go on reading the current entry from
		// Redis (hits) while the refresh loads, instead of attaching to it; the lease keeps the
		// fleet to one refresh of the key at a time
		if (this.refreshing.putIfAbsent(key, Thread.currentThread()) != null) {
			return;
		}
		this.instance.events.onRefresh(RefreshTrigger.EARLY);
		try {
			Outcome outcome = this.coordinator.refresh(key, version, new TimedLoad(key, attempts, null));
			// null: another node refreshes the key, or Redis is down; the entry stays until it expires
			if (outcome != null && outcome.leaseLost()) {
				this.instance.events.onLeaseLost();
			}
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' failed: {1}",
					this.instance.name, ex.getClass().getName());
		}
		finally {
			this.refreshing.remove(key);
		}
	}

	/** A load run by the coordinator, reported like a local one. Used by one thread. */
	private final class TimedLoad implements Loader {

		private final Loader attempts;

		/** The flight whose followers get the value as soon as it is loaded; {@code null} for a refresh. */
		private final @Nullable Flight flight;

		/** Whether the coordinator ran the load; written and read by the serving thread only. */
		boolean ran;

		/** How long the load took; written and read by the serving thread only. */
		long nanos;

		private final Object key;

		TimedLoad(Object key, Loader attempts, @Nullable Flight flight) {
			this.key = key;
			this.attempts = attempts;
			this.flight = flight;
		}

		@Override
		public @Nullable Object load() throws Throwable {
			this.ran = true;
			InstanceEvents events = FleetLeader.this.instance.events;
			LoadObservation observation = events.startLoad();
			long start = FleetLeader.this.instance.ticker.read();
			if (this.flight != null) {
				// the lease keeps its own deadline in Redis; this one releases the key in this JVM
				FleetLeader.this.instance.startLoadTimer(this.key, this.flight);
			}
			Throwable failure = null;
			Object value;
			try (LoadObservation.Scope scope = observation.openScope()) {
				value = this.attempts.load();
			}
			catch (Throwable ex) {
				failure = ex;
				throw ex;
			}
			finally {
				this.nanos = FleetLeader.this.instance.ticker.read() - start;
				if (this.flight == null || this.flight.endLoad()) {
					// else its load timeout released the key and counted it already
					events.onLoad(failure == null, this.nanos);
				}
				observation.stop(CallResult.LEADER, failure);
			}
			if (this.flight != null) {
				// a loaded value is the flight's outcome whatever Redis answers next: this node's
				// followers have it now, while the leader writes it and wakes the other nodes
				this.flight.settle(value, null, CallResult.FOLLOWER);
			}
			return value;
		}

	}

}
