package dev.collapse.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.LocalStore.Entry;
import dev.collapse.core.spi.DistributedCoordinator.Outcome;
import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * The leader of a flight when the fleet serves the key: it hands the key to the
 * {@link DistributedCoordinator} (which may read the fleet's entry, wait for another node's load,
 * or run the load here under a lease) and completes the flight with the outcome. A synchronous
 * caller runs the coordinator's flow on its own thread ({@link #lead}); an asynchronous one gets
 * the coordinator's asynchronous flow, which holds no thread while it waits ({@link #leadAsync});
 * both settle the outcome in one place ({@link #settle}).
 *
 * <ul>
 * <li>Fallback: when the distributed layer fails before a load, the flight is led by
 * {@link LocalLeader} instead.</li>
 * <li>Hand-over: a leader interrupted while it waits for another node stops waiting alone; a
 * thread of the coordinator goes on serving the key for the followers.</li>
 * <li>Timed loads ({@link FleetLoad}): a load run here is reported like a local one, and its value
 * settles the flight at once, before Redis has it.</li>
 * <li>Early refresh through the fleet, kept apart from the flights (see {@link #refresh}).</li>
 * </ul>
 */
final class FleetLeader {

	private static final System.Logger logger = System.getLogger(CollapseInstance.class.getName());

	/** Taken off a copy's lifetime: the fleet counts its entries' expiry in whole milliseconds. */
	private static final long COPY_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

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
	 * Leads {@code flight} through the fleet without blocking this thread, nor holding another
	 * while the fleet waits for another node or for the load: the coordinator's asynchronous flow
	 * delivers the outcome, settled like the synchronous one's.
	 */
	void leadAsync(Object key, Flight flight, AsyncLoader loader) {
		Retry retry = this.instance.retry;
		FleetLoad load = FleetLoad.ofAsync(this.instance, loader, flight);
		Loader fallback = () -> {
			this.instance.localLeader.leadAsync(key, flight, loader, true);
			return null;
		};
		Consumer<@Nullable String> refresh = (version) -> refresh(key, version, () -> retry.await(loader));
		try {
			CopyStamp stamp = copyStamp(key, false);
			this.coordinator.serveAsync(key, load::loadAsync, this.instance.waitTimeoutNanos)
				.whenComplete((outcome, failure) -> {
					// settled on the instance's executor: it completes callers' futures, so their
					// dependent stages run there, never on the coordinator's threads (docs/design.md, Threads)
					Runnable settle = () -> settleAsync(key, flight, outcome, failure, load, fallback, refresh, stamp);
					try {
						this.instance.executor.execute(settle);
					}
					catch (Throwable ex) {
						settle.run();
					}
				});
		}
		catch (Throwable ex) {
			// the coordinator threw instead of failing its future (an OutOfMemoryError)
			this.instance.flights.fail(key, flight, ex);
		}
	}

	/** {@link #settle} in a callback, where nothing thrown reaches anybody: the flight has it instead. */
	private void settleAsync(Object key, Flight flight, @Nullable Outcome outcome, @Nullable Throwable failure,
			FleetLoad load, Loader fallback, Consumer<@Nullable String> refresh, @Nullable CopyStamp stamp) {
		try {
			settle(key, flight, outcome, (failure != null) ? Flight.unwrap(failure) : null, load, fallback, refresh,
					stamp);
		}
		catch (Throwable ex) {
			// a no-op once the flight is complete
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
		FleetLoad load = FleetLoad.of(this.instance, attempts, flight);
		// whether another thread now serves the flight: only then does it outlive a throw here
		boolean handedOver = false;
		try {
			CopyStamp stamp = copyStamp(key, true);
			Outcome outcome = null;
			Throwable failure = null;
			try {
				outcome = this.coordinator.serve(key, load, this.instance.waitTimeoutNanos);
			}
			catch (CollapseInterruptedException interrupted) {
				flight.loadingThread = null;
				handedOver = !load.ran && handOver(flight, servedElsewhere(key, flight, attempts, fallback, refresh));
				if (!handedOver) {
					this.instance.flights.complete(key, flight, null, interrupted, CallResult.FOLLOWER, load.nanos,
							this.instance.events);
				}
				throw interrupted;
			}
			catch (Throwable ex) {
				failure = ex;
			}
			return settle(key, flight, outcome, failure, load, fallback, refresh, stamp);
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
	 * What both forms do with the coordinator's outcome, or its {@code failure}: fall back to
	 * {@code fallback} when the distributed layer failed before a load, else complete the flight,
	 * count the caller, and roll X-Fetch's dice on a hit.
	 * @return the flight's value (the synchronous caller's result)
	 * @throws Throwable the failure, once the flight has it
	 */
	private @Nullable Object settle(Object key, Flight flight, @Nullable Outcome outcome, @Nullable Throwable failure,
			FleetLoad load, Loader fallback, Consumer<@Nullable String> refresh, @Nullable CopyStamp stamp)
			throws Throwable {
		InstanceEvents events = this.instance.events;
		if (failure instanceof DistributedUnavailableException) {
			events.onFallback();
			return fallback.load();
		}
		if (failure != null) {
			// a failure the fleet cached (failure-ttl), served without a load here
			boolean cached = !load.ran && failure instanceof CollapseRemoteLoadException;
			this.instance.flights.complete(key, flight, null, failure, cached ? CallResult.FAILURE : CallResult.FOLLOWER,
					load.nanos, events);
			if (load.ran || cached) {
				events.onCall(cached ? CallResult.FAILURE : CallResult.LEADER);
			}
			throw failure;
		}
		if (outcome.leaseLost()) {
			events.onLeaseLost();
		}
		if (stamp != null) {
			keepCopy(key, flight, outcome, stamp);
		}
		this.instance.flights.complete(key, flight, outcome.value(), null, Flight.followersServedAs(outcome.served()),
				outcome.loadNanos(), events);
		events.onCall(outcome.served());
		if (outcome.served() == CallResult.HIT && shouldRefreshEarly(key, outcome)) {
			String version = outcome.version();
			this.instance.earlyRefresh.submit(() -> refresh.accept(version));
		}
		return outcome.value();
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

	// --- the near cache: copies of the fleet's entries in the local store (docs/redis.md, Near cache)

	/**
	 * What the coordinator knows of {@code key}'s entry before the serve, and when (ticker time):
	 * {@code null} when no copy of what it returns may be kept.
	 */
	private @Nullable CopyStamp copyStamp(Object key, boolean mayBlock) {
		if (!this.instance.caches) {
			return null;
		}
		long now = this.instance.ticker.read();
		Object stamp = this.coordinator.copyStamp(key, mayBlock);
		return (stamp != null) ? new CopyStamp(stamp, now) : null;
	}

	/**
	 * Keeps a copy of the fleet's entry that {@code outcome} served, through the fenced store
	 * path, unless the coordinator heard of a change of it since {@code stamp}. Never for a stale
	 * entry, a hand-off, or a lost lease; the copy expires no later than the fleet's entry: its
	 * remaining time is counted from before the serve began, less a millisecond of rounding.
	 */
	private void keepCopy(Object key, Flight flight, Outcome outcome, CopyStamp stamp) {
		CallResult served = outcome.served();
		String version = outcome.version();
		long remaining = outcome.remainingNanos() - COPY_MARGIN_NANOS;
		if (version == null || remaining <= 0 || outcome.leaseLost()
				|| (served != CallResult.HIT && served != CallResult.REMOTE && served != CallResult.LEADER)) {
			return;
		}
		long expiresAt = stamp.startedAt + remaining;
		Entry copy = Entry.copy(outcome.value(), outcome.loadNanos(), expiresAt, version);
		this.coordinator.keepCopy(key, stamp.stamp, version, () -> this.instance.evictions.store(key, flight, copy));
	}

	/** An early refresh, rolled on a hit of the copy {@code version}, through the fleet's lease. */
	void refreshCopy(Object key, String version, Loader attempts) {
		this.instance.earlyRefresh.submit(() -> refresh(key, version, attempts));
	}

	/** The coordinator's stamp, and the ticker time when it was taken. */
	private record CopyStamp(Object stamp, long startedAt) {
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
			Outcome outcome = this.coordinator.refresh(key, version, FleetLoad.of(this.instance, attempts, null));
			// null: another node refreshes the key, or Redis is down; the entry stays until it expires
			if (outcome != null && outcome.leaseLost()) {
				this.instance.events.onLeaseLost();
			}
			else if (outcome != null && outcome.version() != null) {
				// the fleet's entry is this refresh's now: this node's copy of the one it replaced goes
				// at once, not when this node's own completion message arrives; a copy of the new one stays
				this.instance.store.evictCopy(this.instance.name, key, outcome.version());
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

}
