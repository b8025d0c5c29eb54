package dev.collapse.core;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.LocalStore.Entry;
import dev.collapse.core.spi.DistributedCoordinator;

/**
 * One named collapse instance: its settings, its loads in flight and its share of the store.
 *
 * <p>Contract of {@link #call} and {@link #callAsync}, per key:
 * <ul>
 * <li>At most one load runs at a time in this JVM. Callers that arrive while it runs wait for
 * its outcome, on a future, never by polling.</li>
 * <li>Every waiting caller gets the outcome of the load: the same value, or the same exception.
 * A failed load stores nothing, unless the settings' failure-ttl is set: its exception is then
 * served to the callers of the key for that window, without a load.</li>
 * <li>A waiting caller that times out, is interrupted or cancels its own future stops waiting;
 * the load goes on for the others.</li>
 * <li>A load that calls its own key on the same thread fails at once with
 * {@link CollapseRecursionException}.</li>
 * </ul>
 *
 * <p>With a {@link DistributedCoordinator} (Redis), the node's leader of a key hands the key to
 * it: stored results then live in the fleet's store instead of the local one, and at most one
 * load of a key runs at a time in the fleet. While the coordinator is unavailable, calls are
 * collapsed in this JVM as without it, and counted as {@link CallResult#FALLBACK}.
 *
 * <p>This class holds the hit path, the recursion guard and the dispatch of a miss: the first
 * caller of a key leads its {@link Flight} through {@link LocalLeader} or, with the fleet,
 * {@link FleetLeader}; later callers wait on the flight ({@link Flight#await}). Retries are
 * {@link Retry}'s, early refreshes {@link EarlyRefresh}'s. Those parts read the fields below,
 * which are final once the constructor returns, except {@link #events}.
 *
 * <p>Public for the annotation's interceptor and the actuator endpoint; applications reach an
 * instance through {@link Collapser} or {@code @Collapsed}, and listeners see only its
 * {@link InstanceView}.
 */
public final class CollapseInstance {

	/**
	 * Longest time an expired entry is kept, beyond stale-if-error, to tell a reload from a first
	 * load (the {@code expired} refresh trigger).
	 */
	private static final long MAX_RETAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

	final String name;

	final CollapseSettings settings;

	final LocalStore store;

	final Ticker ticker;

	/**
	 * Runs the followers' watchdogs and timeouts and the asynchronous retries' backoffs: timers
	 * only, never the application's code (see docs/design.md, "Threads").
	 */
	final ScheduledExecutorService scheduler;

	/** Where what a timer made due runs: a retry's next attempt, an asynchronous follower's timeout. */
	final Executor executor;

	/** Where early refreshes run; {@code null} turns them off. */
	final @Nullable Executor refreshExecutor;

	final LocalSingleFlight flights = new LocalSingleFlight();

	final boolean caches;

	/** Whether calls look in the store first: it holds results ({@link #caches}) or failures (failure-ttl). */
	private final boolean readsStore;

	final long ttlNanos;

	/** How long past its expiry an entry still counts for stale-if-error and the expired trigger. */
	final long retainNanos;

	final long waitTimeoutNanos;

	final long loadTimeoutNanos;

	/** The evictions, the store epoch, and the one path by which leaders store results. */
	final Evictions evictions;

	final LoadTimeouts loadTimeouts;

	final long staleIfErrorNanos;

	/** The fleet's coordinator; {@code null} when the instance is collapsed in this JVM only. */
	final @Nullable DistributedCoordinator coordinator;

	/** Type of the results, as declared by the method; {@code null} when unknown. */
	private final @Nullable Type valueType;

	final Retry retry;

	final LocalLeader localLeader;

	/** {@code null} when the instance is collapsed in this JVM only. */
	final @Nullable FleetLeader fleetLeader;

	final EarlyRefresh earlyRefresh;

	/** Written once by the registry right after construction, before the instance is published. */
	InstanceEvents events = InstanceEvents.NONE;

	/** What listeners see of this instance: reads only, so that they cannot drive loads. */
	private final InstanceView view = new ReadOnlyView(this);

	CollapseInstance(String name, CollapseSettings settings, LocalStore store, ScheduledExecutorService scheduler,
			Executor executor, @Nullable Executor refreshExecutor) {
		this(name, settings, store, scheduler, executor, refreshExecutor, null, null);
	}

	CollapseInstance(String name, CollapseSettings settings, LocalStore store, ScheduledExecutorService scheduler,
			Executor executor, @Nullable Executor refreshExecutor, @Nullable DistributedCoordinator coordinator,
			@Nullable Type valueType) {
		this.name = name;
		this.coordinator = coordinator;
		this.valueType = valueType;
		this.settings = settings;
		this.store = store;
		this.ticker = store.ticker();
		this.scheduler = scheduler;
		this.executor = executor;
		this.refreshExecutor = refreshExecutor;
		this.caches = settings.caches();
		this.readsStore = this.caches || settings.cachesFailures();
		this.ttlNanos = settings.ttl().toNanos();
		this.staleIfErrorNanos = settings.staleIfError().toNanos();
		this.retainNanos = Math.max(this.staleIfErrorNanos, Math.min(this.ttlNanos, MAX_RETAIN_NANOS));
		this.waitTimeoutNanos = settings.waitTimeout().toNanos();
		this.loadTimeoutNanos = settings.loadTimeout().toNanos();
		// the parts keep this instance to read its events, bound after construction
		this.retry = new Retry(this);
		this.localLeader = new LocalLeader(this);
		this.fleetLeader = (coordinator != null) ? new FleetLeader(this) : null;
		this.earlyRefresh = new EarlyRefresh(this);
		this.evictions = new Evictions(this);
		this.loadTimeouts = new LoadTimeouts(this);
		if (coordinator != null) {
			coordinator.listen(this.evictions);
		}
	}

	void bind(InstanceEvents events) {
		this.events = events;
	}

	/** The read-only view given to listeners; the same object for the instance's life. */
	InstanceView view() {
		return this.view;
	}

	/** Instance name. */
	public String name() {
		return this.name;
	}

	/** Effective settings. */
	public CollapseSettings settings() {
		return this.settings;
	}

	/** Declared type of the results, or {@code null} when the instance was created without one. */
	public @Nullable Type valueType() {
		return this.valueType;
	}

	/** Whether results are shared with the fleet (when the distributed layer is available). */
	public boolean distributed() {
		return this.coordinator != null;
	}

	/** Whether calls go through the fleet now: {@link #distributed()}, and its layer available. */
	public boolean fleetAvailable() {
		return this.coordinator != null && this.coordinator.available();
	}

	/** Loads running now. */
	public int inflight() {
		return this.flights.size();
	}

	/** Callers waiting for the load of {@code key} now, its leader excluded; -1 if none runs. */
	int followers(Object key) {
		return this.flights.followers(key);
	}

	/** Stored entries of this instance, expired ones kept for a while included; walks the store. */
	public long storedEntries() {
		return this.store.size(this.name);
	}

	/**
	 * Returns the stored result of {@code key}, or the outcome of its load, which this call runs on
	 * its own thread when no other caller is loading the key, and waits for otherwise.
	 * @param key the key; not {@code null}, compared with {@code equals}
	 * @param loader runs the load; called at most once, on this thread, or on a background
	 * thread for an early refresh
	 * @return the value, possibly {@code null}
	 * @throws Throwable the load's own exception, or {@link CollapseTimeoutException},
	 * {@link CollapseInterruptedException}, {@link CollapseRecursionException}
	 */
	public @Nullable Object call(Object key, Loader loader) throws Throwable {
		return call(key, Loader::load, loader);
	}

	/**
	 * {@link #call(Object, Loader)} for a loader that takes one argument, {@code context}: a hit
	 * creates no loader object, since the loader is bound to its argument only when it must run.
	 */
	public <C> @Nullable Object call(Object key, ContextLoader<C> loader, C context) throws Throwable {
		boolean distributed = this.coordinator != null && this.coordinator.available();
		// with the fleet, only its entries' copies (near cache), and only while they are trusted
		if (this.readsStore && (!distributed || this.coordinator.copiesTrusted())) {
			Entry entry = this.store.get(this.name, key);
			if (entry != null && entry.copy() == distributed) {
				long now = this.ticker.read();
				if (!entry.expired(now)) {
					if (entry.failure() != null) {
						this.events.onCall(CallResult.FAILURE);
						throw entry.failure();
					}
					this.events.onCall(CallResult.HIT);
					if (shouldRefreshEarly(key, entry, now)) {
						Loader bound = () -> loader.load(context);
						this.earlyRefresh.submit(key, entry, bound);
					}
					return entry.value();
				}
			}
		}
		return callMissed(key, () -> loader.load(context), distributed);
	}

	private @Nullable Object callMissed(Object key, Loader loader, boolean distributed) throws Throwable {
		failOnRecursion(key);
		Flight candidate = new Flight(this.evictions.epoch());
		Flight flight = this.flights.join(key, candidate);
		if (flight != candidate) {
			return flight.await(this);
		}
		if (distributed) {
			return this.fleetLeader.lead(key, flight, loader);
		}
		if (this.coordinator != null) {
			reportFallback(key, flight);
		}
		return this.localLeader.lead(key, flight, loader, this.coordinator != null);
	}

	/**
	 * Reports that the leader of {@code flight} collapses in this JVM only. Runs between the join
	 * and the leader's flow, so what it throws (the JVM's own Error, which listeners do not
	 * swallow) completes the flight, or the key would hang.
	 */
	private void reportFallback(Object key, Flight flight) {
		try {
			this.events.onFallback();
		}
		catch (Throwable ex) {
			this.flights.fail(key, flight, ex);
			throw ex;
		}
	}

	/**
	 * Asynchronous form of {@link #call}: every caller gets a future of its own, so that
	 * cancelling it never cancels the shared load. The loader runs on this thread when this call
	 * leads (through a distributed coordinator, on a thread of the executor once this node holds
	 * the key's lease: the fleet's flow holds no thread while it waits); a follower's future fails with
	 * {@link CollapseTimeoutException} after the wait timeout.
	 */
	public CompletableFuture<@Nullable Object> callAsync(Object key, AsyncLoader loader) {
		boolean distributed = this.coordinator != null && this.coordinator.available();
		// with the fleet, only its entries' copies (near cache), and only while they are trusted
		if (this.readsStore && (!distributed || this.coordinator.copiesTrusted())) {
			Entry entry = this.store.get(this.name, key);
			if (entry != null && entry.copy() == distributed) {
				long now = this.ticker.read();
				if (!entry.expired(now)) {
					if (entry.failure() != null) {
						this.events.onCall(CallResult.FAILURE);
						return CompletableFuture.failedFuture(entry.failure());
					}
					this.events.onCall(CallResult.HIT);
					if (shouldRefreshEarly(key, entry, now)) {
						this.earlyRefresh.submit(key, entry, loader);
					}
					return CompletableFuture.completedFuture(entry.value());
				}
			}
		}
		try {
			failOnRecursion(key);
		}
		catch (CollapseRecursionException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		Flight candidate = new Flight(this.evictions.epoch());
		Flight flight = this.flights.join(key, candidate);
		if (flight != candidate) {
			return flight.awaitAsync(this);
		}
		if (distributed) {
			this.fleetLeader.leadAsync(key, flight, loader);
		}
		else {
			if (this.coordinator != null) {
				try {
					reportFallback(key, flight);
				}
				catch (Throwable ex) {
					// the flight failed with it: the caller's future has it, like any failure
					return flight.copy();
				}
			}
			this.localLeader.leadAsync(key, flight, loader, this.coordinator != null);
		}
		return flight.copy();
	}

	/**
	 * Drops the stored result of {@code key}, in this JVM and in the fleet's store, and makes sure
	 * that no load of it that began before this call stores its result: once this returns, no
	 * caller joins such a load (the callers that had joined still get its outcome), and the next
	 * caller starts a new one. See docs/design.md, Evictions.
	 * @return whether an entry was there, in this JVM or in the fleet's store
	 */
	public boolean evict(Object key) {
		return this.evictions.evict(key);
	}

	/**
	 * Drops every stored result of this instance, in this JVM and, with the fleet, on every node,
	 * with the same guarantee for loads in flight as {@link #evict}.
	 */
	public void evictAll() {
		this.evictions.evictAll();
	}

	/**
	 * A load that calls its own key on its own thread would wait for itself: it fails instead.
	 * The loading threads are the flight's leader, an early refresh's thread (which holds a flight
	 * too) and a fleet refresh's thread (which holds none, see {@link FleetLeader}).
	 */
	private void failOnRecursion(Object key) {
		Flight running = this.flights.get(key);
		if ((running != null && running.loadingThread == Thread.currentThread())
				|| (this.fleetLeader != null && this.fleetLeader.refreshesOnThisThread(key))) {
			throw new CollapseRecursionException(this.name);
		}
	}

	/**
	 * Rolls X-Fetch's dice for one hit; allocation-free, as it runs on every hit. Never while a
	 * flight of the key runs: its outcome replaces the entry anyway.
	 */
	private boolean shouldRefreshEarly(Object key, Entry entry, long now) {
		double beta = this.settings.earlyRefreshBeta();
		return beta != 0 && this.refreshExecutor != null
				&& XFetch.shouldRefresh(now, entry.expiresAt(), entry.loadNanos(), beta) && this.flights.get(key) == null;
	}

	@Override
	public String toString() {
		return "CollapseInstance[" + this.name + ", ttl=" + this.settings.ttl() + ", jitter=" + this.settings.jitter()
				+ ", wait-timeout=" + this.settings.waitTimeout() + "]";
	}

}
