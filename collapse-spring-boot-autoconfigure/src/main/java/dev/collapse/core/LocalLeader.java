package dev.collapse.core;

import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.LocalStore.Entry;

/**
 * The leader of a flight in this JVM: it serves an entry stored since its caller's miss, or runs
 * the load (with its retries), then settles the outcome in one place for both forms: stale-if-error
 * replaces a failure with a recently expired entry, a success is stored, the flight is completed
 * and the caller counted. The synchronous form runs the load on the caller's thread and settles
 * with its value; the asynchronous form settles when the load's future completes.
 *
 * <p>Also runs the loads of local early refreshes ({@link EarlyRefresh}) and the fallback of a
 * fleet leader whose distributed layer failed ({@link FleetLeader}). Holds no state of its own.
 */
final class LocalLeader {

	private final CollapseInstance instance;

	private final LocalStore store;

	private final Ticker ticker;

	LocalLeader(CollapseInstance instance) {
		this.instance = instance;
		this.store = instance.store;
		this.ticker = instance.ticker;
	}

	/**
	 * Leads {@code flight} on this thread: its caller gets the value, or the exception, every
	 * follower the same.
	 * @param fallback whether the distributed layer should have served this key but could not
	 */
	@Nullable Object lead(Object key, Flight flight, Loader loader, boolean fallback) throws Throwable {
		return lead(key, flight, loader, null, fallback);
	}

	/**
	 * Leads {@code flight} with an asynchronous load, started on this thread; the caller's result
	 * is its copy of the flight's.
	 */
	void leadAsync(Object key, Flight flight, AsyncLoader loader, boolean fallback) {
		try {
			lead(key, flight, null, loader, fallback);
		}
		catch (Throwable ex) {
			// the asynchronous form hands failures to the flight, which lead always completes:
			// the caller's future has this exception
		}
	}

	/** The flow of both forms; exactly one of {@code loader} and {@code asyncLoader} is given. */
	private @Nullable Object lead(Object key, Flight flight, @Nullable Loader loader, @Nullable AsyncLoader asyncLoader,
			boolean fallback)
			throws Throwable {
		flight.loadingThread = Thread.currentThread();
		try {
			return leadFlow(key, flight, loader, asyncLoader, fallback);
		}
		catch (Throwable ex) {
			// whatever escaped (a listener's Error, an OutOfMemoryError from the store), the
			// flight completes with it: otherwise it stays in the map and the key hangs
			this.instance.flights.fail(key, flight, ex);
			throw ex;
		}
		finally {
			flight.loadingThread = null;
		}
	}

	private @Nullable Object leadFlow(Object key, Flight flight, @Nullable Loader loader,
			@Nullable AsyncLoader asyncLoader, boolean fallback) throws Throwable {
		Entry entry = (this.instance.caches || this.instance.settings.cachesFailures()) ? retained(key) : null;
		if (entry != null && !entry.expired(this.ticker.read())) {
			// stored between this caller's miss and its flight: serve it without a load
			CallResult served = (entry.failure() != null) ? CallResult.FAILURE : CallResult.HIT;
			this.instance.flights.complete(key, flight, entry.value(), entry.failure(), served, 0, this.instance.events);
			this.instance.events.onCall(served);
			if (entry.failure() != null) {
				throw entry.failure();
			}
			return entry.value();
		}
		if (entry != null && entry.failure() != null) {
			// a failure whose window is over: neither a value to fall back on nor a reload
			entry = null;
		}
		if (entry != null) {
			this.instance.events.onRefresh(RefreshTrigger.EXPIRED);
		}
		return load(key, flight, loader, asyncLoader, entry, true, fallback);
	}

	/**
	 * Runs the load, stores its result and completes the flight; exactly one of {@code loader}
	 * (run on this thread) and {@code asyncLoader} (started on this thread) is given.
	 * @param previous the expired entry of the key, if one is kept, for stale-if-error
	 * @param caller whether a caller waits for the result (not so for an early refresh)
	 * @param fallback whether callers are counted as {@link CallResult#FALLBACK}
	 * @return the synchronous load's outcome; {@code null} for an asynchronous one
	 */
	@Nullable Object load(Object key, Flight flight, @Nullable Loader loader, @Nullable AsyncLoader asyncLoader,
			@Nullable Entry previous, boolean caller, boolean fallback) throws Throwable {
		LoadObservation observation = this.instance.events.startLoad();
		long start = this.ticker.read();
		this.instance.loadTimeouts.start(flight);
		if (asyncLoader != null) {
			CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
			this.instance.retry.loadAsync(inScope(observation, asyncLoader), outcome);
			outcome.whenComplete((loaded, loadFailure) -> settleAsync(key, flight, loaded, loadFailure,
					this.ticker.read() - start, observation, previous, caller, fallback));
			return null;
		}
		Object value = null;
		Throwable failure = null;
		try (LoadObservation.Scope scope = observation.openScope()) {
			value = this.instance.retry.load(loader);
		}
		catch (Throwable ex) {
			failure = ex;
		}
		Settled settled = settle(key, flight, value, failure, this.ticker.read() - start, observation, previous, caller,
				fallback);
		if (settled.failure() != null) {
			throw settled.failure();
		}
		return settled.value();
	}

	/**
	 * {@link #settle} in the load's completion callback, where nothing thrown reaches anybody:
	 * whatever settling throws completes the flight instead (a no-op once it is complete).
	 */
	private void settleAsync(Object key, Flight flight, @Nullable Object loaded, @Nullable Throwable loadFailure,
			long loadNanos, LoadObservation observation, @Nullable Entry previous, boolean caller, boolean fallback) {
		try {
			settle(key, flight, loaded, loadFailure, loadNanos, observation, previous, caller, fallback);
		}
		catch (Throwable ex) {
			this.instance.flights.fail(key, flight, ex);
		}
	}

	/** Runs the synchronous part of each attempt, on whichever thread starts it, with the load current. */
	static AsyncLoader inScope(LoadObservation observation, AsyncLoader loader) {
		if (observation == LoadObservation.NONE) {
			return loader;
		}
		return () -> {
			try (LoadObservation.Scope scope = observation.openScope()) {
				return loader.load();
			}
		};
	}

	/**
	 * What both forms do once the load is over: report it, serve stale-if-error, store a
	 * success, complete the flight, count the caller.
	 */
	private Settled settle(Object key, Flight flight, @Nullable Object loaded, @Nullable Throwable loadFailure,
			long loadNanos, LoadObservation observation, @Nullable Entry previous, boolean caller, boolean fallback) {
		InstanceEvents events = this.instance.events;
		if (flight.endLoad()) {
			// else its load timeout released the key and counted it already
			events.onLoad(loadFailure == null, loadNanos);
		}
		observation.stop(CallResult.LEADER, loadFailure);
		Object value = loaded;
		Throwable failure = loadFailure;
		CallResult served = fallback ? CallResult.FALLBACK : CallResult.LEADER;
		if (failure != null && servesStale(previous)) {
			value = previous.value();
			failure = null;
			served = CallResult.STALE;
		}
		try {
			if (served != CallResult.STALE && failure == null) {
				store(key, flight, value, loadNanos);
			}
			else if (failure != null && caller && this.instance.settings.cachesFailures()) {
				// failure-ttl; not an early refresh's failure, whose entry is still fresh, and
				// never in place of stale-if-error, which has served a value instead
				long expiresAt = this.ticker.read() + this.instance.settings.failureWindowNanos();
				this.instance.evictions.store(key, flight, Entry.failed(failure, loadNanos, expiresAt));
			}
		}
		finally {
			this.instance.flights.complete(key, flight, value, failure, Flight.followersServedAs(served), loadNanos,
					events);
		}
		if (caller) {
			events.onCall(served);
		}
		return new Settled(value, failure);
	}

	/** The outcome a load settled on: a value, or the failure to hand out. */
	private record Settled(@Nullable Object value, @Nullable Throwable failure) {
	}

	/**
	 * The stored entry of {@code key}, expired or not, unless it expired so long ago that it no
	 * longer counts (past {@link Entry#retainUntil()}): the store keeps entries until they are
	 * replaced or evicted by size, so the leader applies the retention itself, off the hit path.
	 */
	private @Nullable Entry retained(Object key) {
		Entry entry = this.store.get(this.instance.name, key);
		// a copy of a fleet entry is never served by this JVM's own flow (fallback)
		return (entry != null && (entry.copy() || this.ticker.read() - entry.retainUntil() >= 0)) ? null : entry;
	}

	/** Whether {@code previous} expired recently enough to be served instead of a failure. */
	private boolean servesStale(@Nullable Entry previous) {
		return previous != null && this.instance.staleIfErrorNanos > 0
				&& this.ticker.read() - previous.expiresAt() < this.instance.staleIfErrorNanos;
	}

	private void store(Object key, Flight flight, @Nullable Object value, long loadNanos) {
		CollapseSettings settings = this.instance.settings;
		if (!this.instance.caches || (value == null && !settings.cacheNulls())) {
			return;
		}
		long now = this.ticker.read();
		long expiresAt = now + this.instance.ttlNanos + settings.jitter().sampleNanos(settings.ttl());
		this.instance.evictions.store(key, flight, new Entry(value, loadNanos, expiresAt, expiresAt + this.instance.retainNanos));
	}

}
