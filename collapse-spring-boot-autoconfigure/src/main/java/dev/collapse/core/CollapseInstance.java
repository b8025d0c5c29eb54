package dev.collapse.core;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.github.benmanes.caffeine.cache.Ticker;

import dev.collapse.core.DistributedCoordinator.Outcome;
import dev.collapse.core.LocalSingleFlight.Flight;
import dev.collapse.core.LocalStore.Entry;

/**
 * One named collapse instance: its settings, its loads in flight and its share of the store.
 *
 * <p>Contract of {@link #call} and {@link #callAsync}, per key:
 * <ul>
 * <li>At most one load runs at a time in this JVM. Callers that arrive while it runs wait for
 * its outcome, on a future, never by polling.</li>
 * <li>Every waiting caller gets the outcome of the load: the same value, or the same exception.
 * A failed load stores nothing.</li>
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
 */
public final class CollapseInstance {

	private static final System.Logger logger = System.getLogger(CollapseInstance.class.getName());

	/**
	 * Longest time an expired entry is kept, beyond stale-if-error, to tell a reload from a first
	 * load (the {@code expired} refresh trigger).
	 */
	private static final long MAX_RETAIN_NANOS = TimeUnit.SECONDS.toNanos(60);

	private final String name;

	private final CollapseSettings settings;

	private final LocalStore store;

	private final Ticker ticker;

	private final ScheduledExecutorService scheduler;

	private final Executor refreshExecutor;

	private final LocalSingleFlight flights = new LocalSingleFlight();

	/** Keys whose early refresh through Redis runs now, with the thread that runs it. */
	private final ConcurrentHashMap<Object, Thread> refreshing = new ConcurrentHashMap<>();

	private final boolean caches;

	private final long ttlNanos;

	private final long retainNanos;

	private final long waitTimeoutNanos;

	private final long staleIfErrorNanos;

	/** The fleet's coordinator; {@code null} when the instance is collapsed in this JVM only. */
	private final DistributedCoordinator coordinator;

	/** Type of the results, as declared by the method; {@code null} when unknown. */
	private final Type valueType;

	/** Written once by the registry right after construction, before the instance is published. */
	private InstanceEvents events = InstanceEvents.NONE;

	CollapseInstance(String name, CollapseSettings settings, LocalStore store, ScheduledExecutorService scheduler,
			Executor refreshExecutor) {
		this(name, settings, store, scheduler, refreshExecutor, null, null);
	}

	CollapseInstance(String name, CollapseSettings settings, LocalStore store, ScheduledExecutorService scheduler,
			Executor refreshExecutor, DistributedCoordinator coordinator, Type valueType) {
		this.name = name;
		this.coordinator = coordinator;
		this.valueType = valueType;
		this.settings = settings;
		this.store = store;
		this.ticker = store.ticker();
		this.scheduler = scheduler;
		this.refreshExecutor = refreshExecutor;
		this.caches = settings.caches();
		this.ttlNanos = settings.ttl().toNanos();
		this.staleIfErrorNanos = settings.staleIfError().toNanos();
		this.retainNanos = Math.max(this.staleIfErrorNanos, Math.min(this.ttlNanos, MAX_RETAIN_NANOS));
		this.waitTimeoutNanos = settings.waitTimeout().toNanos();
	}

	void bind(InstanceEvents events) {
		this.events = events;
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
	public Type valueType() {
		return this.valueType;
	}

	/** Whether results are shared with the fleet (when the distributed layer is available). */
	public boolean distributed() {
		return this.coordinator != null;
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
	public Object call(Object key, Loader loader) throws Throwable {
		return call(key, Loader::load, loader);
	}

	/**
	 * {@link #call(Object, Loader)} for a loader that takes one argument, {@code context}: a hit
	 * creates no loader object, since the loader is bound to its argument only when it must run.
	 */
	public <C> Object call(Object key, ContextLoader<C> loader, C context) throws Throwable {
		boolean distributed = this.coordinator != null && this.coordinator.available();
		if (this.caches && !distributed) {
			Entry entry = this.store.get(this.name, key);
			if (entry != null) {
				long now = this.ticker.read();
				if (!entry.expired(now)) {
					this.events.onCall(CallResult.HIT);
					if (shouldRefreshEarly(key, entry, now)) {
						Loader bound = () -> loader.load(context);
						submitRefresh(() -> refreshSync(key, entry, bound));
					}
					return entry.value();
				}
			}
		}
		return callMissed(key, () -> loader.load(context), distributed);
	}

	private Object callMissed(Object key, Loader loader, boolean distributed) throws Throwable {
		failOnRecursion(key);
		Flight candidate = new Flight();
		Flight flight = this.flights.join(key, candidate);
		if (flight != candidate) {
			return await(flight);
		}
		if (distributed) {
			return leadDistributed(key, flight, loader);
		}
		if (this.coordinator != null) {
			this.events.onFallback();
		}
		return lead(key, flight, loader, this.coordinator != null);
	}

	/**
	 * Asynchronous form of {@link #call}: every caller gets a future of its own, so that
	 * cancelling it never cancels the shared load. The loader runs on this thread when this call
	 * leads (through a distributed coordinator, on one of the coordinator's threads, as the fleet's
	 * flow may wait for another node); a follower's future fails with
	 * {@link CollapseTimeoutException} after the wait timeout.
	 */
	public CompletableFuture<Object> callAsync(Object key, AsyncLoader loader) {
		boolean distributed = this.coordinator != null && this.coordinator.available();
		if (this.caches && !distributed) {
			Entry entry = this.store.get(this.name, key);
			if (entry != null) {
				long now = this.ticker.read();
				if (!entry.expired(now)) {
					this.events.onCall(CallResult.HIT);
					if (shouldRefreshEarly(key, entry, now)) {
						submitRefresh(() -> refreshAsync(key, entry, loader));
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
		Flight candidate = new Flight();
		Flight flight = this.flights.join(key, candidate);
		if (flight != candidate) {
			return awaitAsync(flight);
		}
		if (distributed) {
			leadDistributedAsync(key, flight, loader);
		}
		else {
			if (this.coordinator != null) {
				this.events.onFallback();
			}
			leadAsync(key, flight, loader, this.coordinator != null);
		}
		return copyOf(flight.result);
	}

	/**
	 * Drops the stored result of {@code key}, in this JVM and in the fleet's store; a load in flight
	 * is not affected.
	 * @return whether an entry was there, in this JVM or in the fleet's store
	 */
	public boolean evict(Object key) {
		boolean found = this.store.evict(this.name, key);
		if (this.coordinator != null) {
			found |= this.coordinator.evict(key);
		}
		return found;
	}

	/** Drops every stored result of this instance. */
	public void evictAll() {
		this.store.evictAll(this.name);
	}

	private void failOnRecursion(Object key) {
		Flight running = this.flights.get(key);
		if ((running != null && running.loadingThread == Thread.currentThread())
				|| (this.coordinator != null && this.refreshing.get(key) == Thread.currentThread())) {
			throw new CollapseRecursionException(this.name);
		}
	}

	// ---- leader, synchronous

	/** @param fallback whether the distributed layer should have served this key but could not */
	private Object lead(Object key, Flight flight, Loader loader, boolean fallback) throws Throwable {
		flight.loadingThread = Thread.currentThread();
		try {
			Entry entry = this.caches ? retained(key) : null;
			if (entry != null && !entry.expired(this.ticker.read())) {
				// stored between this caller's miss and its flight: serve it without a load
				complete(key, flight, entry.value(), null, CallResult.HIT, 0);
				this.events.onCall(CallResult.HIT);
				return entry.value();
			}
			if (entry != null) {
				this.events.onRefresh(RefreshTrigger.EXPIRED);
			}
			return loadAndComplete(key, flight, loader, entry, true, fallback);
		}
		finally {
			flight.loadingThread = null;
		}
	}

	/**
	 * Runs the load on this thread, stores its result and completes the flight.
	 * @param previous the expired entry of the key, if one is kept, for stale-if-error
	 * @param caller whether a caller waits for the result (not so for an early refresh)
	 * @param fallback whether callers are counted as {@link CallResult#FALLBACK}
	 */
	private Object loadAndComplete(Object key, Flight flight, Loader loader, Entry previous, boolean caller,
			boolean fallback) throws Throwable {
		LoadObservation observation = this.events.startLoad();
		long start = this.ticker.read();
		Object value = null;
		Throwable failure = null;
		try (LoadObservation.Scope scope = observation.openScope()) {
			value = loadWithRetry(loader);
		}
		catch (Throwable ex) {
			failure = ex;
		}
		Settled settled = settle(key, flight, value, failure, this.ticker.read() - start, observation, previous,
				caller, fallback);
		if (settled.failure() != null) {
			throw settled.failure();
		}
		return settled.value();
	}

	/**
	 * What both load paths do once the load is over: report it, serve stale-if-error, store a
	 * success, complete the flight, count the caller.
	 */
	private Settled settle(Object key, Flight flight, Object loaded, Throwable loadFailure, long loadNanos,
			LoadObservation observation, Entry previous, boolean caller, boolean fallback) {
		this.events.onLoad(loadFailure == null, loadNanos);
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
				store(key, value, loadNanos);
			}
		}
		finally {
			complete(key, flight, value, failure, followerResult(served), loadNanos);
		}
		if (caller) {
			this.events.onCall(served);
		}
		return new Settled(value, failure);
	}

	/** The outcome a load settled on: a value, or the failure to hand out. */
	private record Settled(Object value, Throwable failure) {
	}

	/**
	 * The stored entry of {@code key}, expired or not, unless it expired so long ago that it no
	 * longer counts (past {@link Entry#retainUntil()}): the store keeps entries until they are
	 * replaced or evicted by size, so the leader applies the retention itself, off the hit path.
	 */
	private Entry retained(Object key) {
		Entry entry = this.store.get(this.name, key);
		return (entry != null && this.ticker.read() - entry.retainUntil() >= 0) ? null : entry;
	}

	/** Whether {@code previous} expired recently enough to be served instead of a failure. */
	private boolean servesStale(Entry previous) {
		return previous != null && this.staleIfErrorNanos > 0
				&& this.ticker.read() - previous.expiresAt() < this.staleIfErrorNanos;
	}

	private Object loadWithRetry(Loader loader) throws Throwable {
		RetrySettings retry = this.settings.retry();
		for (int attempt = 1;; attempt++) {
			try {
				return loader.load();
			}
			catch (Throwable ex) {
				if (attempt >= retry.maxAttempts() || !retry.retries(ex)) {
					throw ex;
				}
				this.events.onRetry();
				try {
					// a jittered backoff between attempts of the leader's own load, not a wait loop
					TimeUnit.NANOSECONDS.sleep(Backoff.delayNanos(retry, attempt));
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					ex.addSuppressed(interrupted);
					throw ex;
				}
			}
		}
	}

	// ---- leader, asynchronous

	private void leadAsync(Object key, Flight flight, AsyncLoader loader, boolean fallback) {
		flight.loadingThread = Thread.currentThread();
		try {
			Entry entry = this.caches ? retained(key) : null;
			if (entry != null && !entry.expired(this.ticker.read())) {
				complete(key, flight, entry.value(), null, CallResult.HIT, 0);
				this.events.onCall(CallResult.HIT);
				return;
			}
			if (entry != null) {
				this.events.onRefresh(RefreshTrigger.EXPIRED);
			}
			loadAsyncAndComplete(key, flight, loader, entry, true, fallback);
		}
		finally {
			flight.loadingThread = null;
		}
	}

	/** Asynchronous form of {@link #loadAndComplete}; the leader's own result is its copy of the flight. */
	private void loadAsyncAndComplete(Object key, Flight flight, AsyncLoader loader, Entry previous, boolean caller,
			boolean fallback) {
		LoadObservation observation = this.events.startLoad();
		long start = this.ticker.read();
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		attemptAsync(inScope(observation, loader), 1, outcome);
		outcome.whenComplete((loaded, loadFailure) -> settle(key, flight, loaded, loadFailure,
				this.ticker.read() - start, observation, previous, caller, fallback));
	}

	/** Runs the synchronous part of each attempt, on whichever thread starts it, with the load current. */
	private static AsyncLoader inScope(LoadObservation observation, AsyncLoader loader) {
		if (observation == LoadObservation.NONE) {
			return loader;
		}
		return () -> {
			try (LoadObservation.Scope scope = observation.openScope()) {
				return loader.load();
			}
		};
	}

	private void attemptAsync(AsyncLoader loader, int attempt, CompletableFuture<Object> outcome) {
		CompletionStage<?> stage;
		try {
			stage = loader.load();
			if (stage == null) {
				throw new NullPointerException("The load of collapse instance '" + this.name
						+ "' returned a null CompletionStage; return a completed stage instead");
			}
		}
		catch (Throwable ex) {
			stage = CompletableFuture.failedFuture(ex);
		}
		stage.whenComplete((value, failure) -> {
			if (failure == null) {
				outcome.complete(value);
				return;
			}
			Throwable cause = unwrap(failure);
			RetrySettings retry = this.settings.retry();
			if (attempt >= retry.maxAttempts() || !retry.retries(cause)) {
				outcome.completeExceptionally(cause);
				return;
			}
			this.events.onRetry();
			try {
				this.scheduler.schedule(() -> attemptAsync(loader, attempt + 1, outcome),
						Backoff.delayNanos(retry, attempt), TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				cause.addSuppressed(ex);
				outcome.completeExceptionally(cause);
			}
		});
	}

	// ---- leader, through the fleet's coordinator

	/** How the callers attached to a flight are counted when its leader was served as {@code served}. */
	private static CallResult followerResult(CallResult served) {
		return switch (served) {
			case LEADER -> CallResult.FOLLOWER;
			default -> served;
		};
	}

	private Object leadDistributed(Object key, Flight flight, Loader loader) throws Throwable {
		flight.loadingThread = Thread.currentThread();
		try {
			return serveDistributed(key, flight, () -> loadWithRetry(loader), () -> lead(key, flight, loader, true),
					() -> refreshDistributed(key, () -> loadWithRetry(loader)));
		}
		finally {
			// not if the flight was handed over to another thread
			if (flight.loadingThread == Thread.currentThread()) {
				flight.loadingThread = null;
			}
		}
	}

	/**
	 * The distributed flow blocks (it may wait for another node), so an asynchronous caller's runs
	 * on the coordinator's executor; the caller has its future at once.
	 */
	private void leadDistributedAsync(Object key, Flight flight, AsyncLoader loader) {
		Runnable flow = () -> {
			flight.loadingThread = Thread.currentThread();
			try {
				serveDistributed(key, flight, () -> awaitLoad(loader), () -> {
					leadAsync(key, flight, loader, true);
					return null;
				}, () -> refreshDistributed(key, () -> awaitLoad(loader)));
			}
			catch (Throwable ex) {
				// delivered to every caller through the flight
			}
			finally {
				if (flight.loadingThread == Thread.currentThread()) {
					flight.loadingThread = null;
				}
			}
		};
		try {
			this.coordinator.executor().execute(flow);
		}
		catch (RejectedExecutionException ex) {
			this.events.onFallback();
			leadAsync(key, flight, loader, true);
		}
	}

	/**
	 * Hands {@code key} to the coordinator and completes {@code flight} with its outcome; falls back
	 * to {@code fallback} (a local leader's flow) when the distributed layer fails before a load.
	 * @param attempts the load with its retries
	 * @param refresh an early refresh of the key, submitted when X-Fetch says so on a hit
	 */
	private Object serveDistributed(Object key, Flight flight, Loader attempts, Loader fallback, Runnable refresh)
			throws Throwable {
		TimedLoad load = new TimedLoad(attempts, flight);
		Outcome outcome;
		try {
			outcome = this.coordinator.serve(key, load, this.waitTimeoutNanos);
		}
		catch (DistributedUnavailableException ex) {
			this.events.onFallback();
			return fallback.load();
		}
		catch (CollapseInterruptedException interrupted) {
			flight.loadingThread = null;
			if (load.ran || !handOver(key, flight, attempts, fallback, refresh)) {
				complete(key, flight, null, interrupted, CallResult.FOLLOWER, load.nanos);
			}
			throw interrupted;
		}
		catch (Throwable failure) {
			complete(key, flight, null, failure, CallResult.FOLLOWER, load.nanos);
			if (load.ran) {
				this.events.onCall(CallResult.LEADER);
			}
			throw failure;
		}
		if (outcome.leaseLost()) {
			this.events.onLeaseLost();
		}
		complete(key, flight, outcome.value(), null, followerResult(outcome.served()), outcome.loadNanos());
		this.events.onCall(outcome.served());
		if (outcome.served() == CallResult.HIT && shouldRefreshEarly(key, outcome)) {
			submitRefresh(refresh);
		}
		return outcome.value();
	}

	/**
	 * This node's leader was interrupted while it waited for another node: only it stops waiting.
	 * A thread of the coordinator goes on serving the key for the callers attached to the flight.
	 * @return whether the flight was handed over
	 */
	private boolean handOver(Object key, Flight flight, Loader attempts, Loader fallback, Runnable refresh) {
		Runnable rest = () -> {
			flight.loadingThread = Thread.currentThread();
			try {
				serveDistributed(key, flight, attempts, fallback, refresh);
			}
			catch (Throwable ex) {
				// delivered to every caller through the flight
			}
			finally {
				if (flight.loadingThread == Thread.currentThread()) {
					flight.loadingThread = null;
				}
			}
		};
		try {
			this.coordinator.executor().execute(rest);
			return true;
		}
		catch (RejectedExecutionException ex) {
			return false;
		}
	}

	private boolean shouldRefreshEarly(Object key, Outcome hit) {
		double beta = this.settings.earlyRefreshBeta();
		if (beta == 0 || this.refreshExecutor == null || hit.remainingNanos() <= 0) {
			return false;
		}
		long now = this.ticker.read();
		return XFetch.shouldRefresh(now, now + hit.remainingNanos(), hit.loadNanos(), beta)
				&& this.flights.get(key) == null;
	}

	/** Early refresh through the fleet: loads only if no node holds the key, else serves it as usual. */
	private void refreshDistributed(Object key, Loader attempts) {
		// kept apart from the flights: callers of this node go on reading the current entry from
		// Redis (hits) while the refresh loads, instead of attaching to it; the lease keeps the
		// fleet to one refresh of the key at a time
		if (this.refreshing.putIfAbsent(key, Thread.currentThread()) != null) {
			return;
		}
		this.events.onRefresh(RefreshTrigger.EARLY);
		try {
			Outcome outcome = this.coordinator.refresh(key, new TimedLoad(attempts, null));
			// null: another node refreshes the key, or Redis is down; the entry stays until it expires
			if (outcome != null && outcome.leaseLost()) {
				this.events.onLeaseLost();
			}
		}
		catch (Throwable ex) {
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' failed: {1}", this.name,
					ex.getClass().getName());
		}
		finally {
			this.refreshing.remove(key);
		}
	}

	/** Runs an asynchronous load with its retries and waits for it, on a thread that may block. */
	private Object awaitLoad(AsyncLoader loader) throws Throwable {
		CompletableFuture<Object> outcome = new CompletableFuture<>();
		attemptAsync(loader, 1, outcome);
		try {
			return outcome.get();
		}
		catch (ExecutionException ex) {
			throw unwrap(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CollapseInterruptedException(this.name, ex);
		}
	}

	/** A load run by the coordinator, reported like a local one. Used by one thread. */
	private final class TimedLoad implements Loader {

		private final Loader attempts;

		boolean ran;

		long nanos;

		/** The flight whose followers get the value as soon as it is loaded; {@code null} for a refresh. */
		private final Flight flight;

		TimedLoad(Loader attempts, Flight flight) {
			this.attempts = attempts;
			this.flight = flight;
		}

		@Override
		public Object load() throws Throwable {
			this.ran = true;
			LoadObservation observation = CollapseInstance.this.events.startLoad();
			long start = CollapseInstance.this.ticker.read();
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
				this.nanos = CollapseInstance.this.ticker.read() - start;
				CollapseInstance.this.events.onLoad(failure == null, this.nanos);
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

	// ---- followers

	private Object await(Flight flight) throws Throwable {
		LoadObservation observation = this.events.startWait();
		Throwable failure = null;
		try {
			return awaitOutcome(flight);
		}
		catch (Throwable ex) {
			failure = ex;
			throw ex;
		}
		finally {
			// followerResult is written before the result completes: once done, it is final
			observation.stop(flight.result.isDone() ? flight.followerResult : null, failure);
		}
	}

	/**
	 * Waits for the flight's outcome, for the wait timeout at most. Followers park on
	 * {@link Flight#woken} without a timer each (on virtual threads every timed park costs a timer
	 * of the JDK's, a burden in a herd of thousands): the flight's one watchdog, started by its
	 * first follower, wakes them when that follower's timeout is up, which is no later than
	 * anybody's; a later follower whose own timeout is not up then waits out the rest of it.
	 */
	private Object awaitOutcome(Flight flight) throws Throwable {
		long start = this.ticker.read();
		long arrived = System.nanoTime();
		try {
			if (flight.claimWatchdog()) {
				startWatchdog(flight);
			}
			flight.woken.get();
			// done: returns at once, no timer; woken by the watchdog: the rest of this caller's timeout
			Object value = flight.result.get(this.waitTimeoutNanos - (System.nanoTime() - arrived), TimeUnit.NANOSECONDS);
			this.events.onCall(flight.followerResult);
			return value;
		}
		catch (ExecutionException ex) {
			this.events.onCall(flight.followerResult);
			throw ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new CollapseTimeoutException(this.name, this.settings.waitTimeout());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CollapseInterruptedException(this.name, ex);
		}
		finally {
			this.events.onWait(this.ticker.read() - start);
		}
	}

	private void startWatchdog(Flight flight) {
		ScheduledFuture<?> watchdog;
		try {
			watchdog = this.scheduler.schedule(() -> flight.woken.complete(null), this.waitTimeoutNanos,
					TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// no timer to be had (the application is closing): every follower waits timed, alone
			flight.woken.complete(null);
			return;
		}
		flight.watchdog = watchdog;
		if (flight.woken.isDone()) {
			// the flight ended before the watchdog was published: nobody else stops it
			watchdog.cancel(false);
		}
	}

	private CompletableFuture<Object> awaitAsync(Flight flight) {
		LoadObservation observation = this.events.startWait();
		long start = this.ticker.read();
		CompletableFuture<Object> mine = new CompletableFuture<>();
		ScheduledFuture<?> timer = this.scheduler.schedule(
				() -> mine.completeExceptionally(new CollapseTimeoutException(this.name, this.settings.waitTimeout())),
				this.waitTimeoutNanos, TimeUnit.NANOSECONDS);
		flight.result.whenComplete((value, failure) -> {
			timer.cancel(false);
			this.events.onWait(this.ticker.read() - start);
			this.events.onCall(flight.followerResult);
			if (failure != null) {
				mine.completeExceptionally(unwrap(failure));
			}
			else {
				mine.complete(value);
			}
		});
		mine.whenComplete((value, failure) -> observation.stop(flight.result.isDone() ? flight.followerResult : null,
				failure));
		return mine;
	}

	/** A future of the caller's own: completing or cancelling it leaves {@code shared} alone. */
	private static CompletableFuture<Object> copyOf(CompletableFuture<Object> shared) {
		CompletableFuture<Object> mine = new CompletableFuture<>();
		shared.whenComplete((value, failure) -> {
			if (failure != null) {
				mine.completeExceptionally(unwrap(failure));
			}
			else {
				mine.complete(value);
			}
		});
		return mine;
	}

	// ---- shared by every path

	private void store(Object key, Object value, long loadNanos) {
		if (!this.caches || (value == null && !this.settings.cacheNulls())) {
			return;
		}
		long now = this.ticker.read();
		long expiresAt = now + this.ttlNanos + this.settings.jitter().sampleNanos(this.settings.ttl());
		this.store.put(this.name, key, new Entry(value, loadNanos, expiresAt, expiresAt + this.retainNanos));
	}

	/**
	 * Removes the flight, then hands its outcome to every caller that attached to it.
	 * @param followerResult how those callers are counted
	 */
	private void complete(Object key, Flight flight, Object value, Throwable failure, CallResult followerResult,
			long loadNanos) {
		int served = this.flights.finish(key, flight);
		flight.settle(value, failure, followerResult);
		// a herd is the callers one load served: none when the flight was served from a stored
		// entry, and an early refresh's flight has no caller of its own
		int callers = flight.refresh ? served - 1 : served;
		if (followerResult != CallResult.HIT && callers > 0) {
			this.events.onHerd(key, callers, loadNanos);
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	// ---- early refresh (X-Fetch)

	/** Rolls X-Fetch's dice for one hit; allocation-free, as it runs on every hit. */
	private boolean shouldRefreshEarly(Object key, Entry entry, long now) {
		double beta = this.settings.earlyRefreshBeta();
		return beta != 0 && this.refreshExecutor != null
				&& XFetch.shouldRefresh(now, entry.expiresAt(), entry.loadNanos(), beta) && this.flights.get(key) == null;
	}

	private void submitRefresh(Runnable refresh) {
		try {
			this.refreshExecutor.execute(refresh);
		}
		catch (RejectedExecutionException ex) {
			// the refresh executor is saturated: the entry is still served and refreshed on expiry
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' skipped: executor saturated", this.name);
		}
	}

	/** @param rolled the entry whose read rolled this refresh */
	private void refreshSync(Object key, Entry rolled, Loader loader) {
		Flight candidate = Flight.refresh();
		if (!this.flights.tryLead(key, candidate) || completedByNewerEntry(key, candidate, rolled)) {
			return;
		}
		this.events.onRefresh(RefreshTrigger.EARLY);
		// the refresh's thread is loading the key: a call of the same key from inside this load
		// must fail fast, not attach to this flight and wait for itself
		candidate.loadingThread = Thread.currentThread();
		try {
			// the rolled entry backs stale-if-error for callers that attach once it has expired
			loadAndComplete(key, candidate, loader, rolled, false, false);
		}
		catch (Throwable ex) {
			// callers keep the current entry until it expires; the next miss loads again
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' failed: {1}", this.name,
					ex.getClass().getName());
		}
		finally {
			candidate.loadingThread = null;
		}
	}

	private void refreshAsync(Object key, Entry rolled, AsyncLoader loader) {
		Flight candidate = Flight.refresh();
		if (!this.flights.tryLead(key, candidate) || completedByNewerEntry(key, candidate, rolled)) {
			return;
		}
		this.events.onRefresh(RefreshTrigger.EARLY);
		candidate.loadingThread = Thread.currentThread();
		try {
			loadAsyncAndComplete(key, candidate, loader, rolled, false, false);
		}
		finally {
			candidate.loadingThread = null;
		}
	}

	/**
	 * Completes a refresh's flight without a load when the entry it was rolled for has been
	 * replaced since by a live one: several reads may roll before the first queued refresh runs,
	 * and those that run after it stored its result have nothing left to do.
	 */
	private boolean completedByNewerEntry(Object key, Flight flight, Entry rolled) {
		Entry current = this.store.get(this.name, key);
		if (current == rolled || current == null || current.expired(this.ticker.read())) {
			return false;
		}
		complete(key, flight, current.value(), null, CallResult.HIT, 0);
		return true;
	}

	@Override
	public String toString() {
		return "CollapseInstance[" + this.name + ", ttl=" + this.settings.ttl() + ", jitter=" + this.settings.jitter()
				+ ", wait-timeout=" + this.settings.waitTimeout() + "]";
	}

}
