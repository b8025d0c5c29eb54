package dev.collapse.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * One load in flight, and how its followers wait for it.
 *
 * <p>Larger than one idea per file would make it, on purpose: every transition of a flight
 * (joined, leading, settled, its load ended or released, each kind of follower gone) reads and
 * writes the same few fields under one set of compare-and-set rules, stated next to the fields;
 * split across classes, those rules would have to be read in several places at once.
 *
 * <p>Life of a flight: it is <em>joined</em> ({@link LocalSingleFlight#join}) by its leader, who
 * created it, and by every caller that arrives while it is in the map (its followers); the leader
 * marks itself <em>leading</em> in {@link #loadingThread} while it runs the synchronous part of the
 * load; the flight is <em>finished</em> ({@link LocalSingleFlight#complete}): removed from the map,
 * so that no caller attaches any more, then <em>settled</em> ({@link #settle}): {@link #result}
 * completed once, for every follower. Only a fleet leader settles before it finishes: its
 * followers get a loaded value while it still writes it to Redis.
 *
 * <p>Synchronous followers park on {@link #woken} with no timer of their own; the flight's one
 * {@link #watchdog}, started by the first of them, wakes them all when that first follower's
 * timeout is up, which is no later than anybody's. Asynchronous followers each hold a timer on
 * the scheduler instead (a timer costs no parked thread there); it fails the follower's future
 * on the instance's executor, never on the timer's thread, since the caller's dependent stages
 * run on the thread that completes it (see docs/design.md, "Threads").
 */
final class Flight {

	/**
	 * Completed once, by {@link #settle}; as a rule after the flight has been removed from the map.
	 */
	final CompletableFuture<@Nullable Object> result = new CompletableFuture<>();

	/**
	 * What synchronous followers park on, without a timer of their own: completed right after
	 * {@link #result}, or earlier by {@link #watchdog} when the first of them has waited its
	 * whole wait timeout (every later one then waits out the rest of its own, timed).
	 */
	private final CompletableFuture<@Nullable Void> woken = new CompletableFuture<>();

	/**
	 * The one timer of the flight: written once by the follower that claimed it ({@link #watched}),
	 * read by {@link #settle} to cancel it; {@code null} before, and forever if no synchronous
	 * follower came.
	 */
	private volatile @Nullable ScheduledFuture<?> watchdog;

	/** 1 once a follower has claimed the start of {@link #watchdog}; set by compare-and-set only. */
	private volatile int watched;

	/**
	 * Thread running the synchronous part of the load, {@code null} otherwise. Written by the
	 * leader (or the thread a fleet leader handed the flight over to), read by callers to detect
	 * a load that calls its own key.
	 */
	volatile @Nullable Thread loadingThread;

	/**
	 * How the callers that attached are counted; written by {@link #settle} before it completes
	 * {@link #result}, read by them after.
	 */
	private volatile CallResult followerResult = CallResult.FOLLOWER;

	/** Callers that attached; written only under the map's bin lock (see join and complete). */
	int followers;

	/** Whether no caller leads this flight: an early refresh. Final once published. */
	final boolean refresh;

	/**
	 * The instance's store epoch when the flight was created: its result is stored only while the
	 * epoch is the same (see {@link Evictions#epoch}). Final.
	 */
	final long epoch;

	/**
	 * {@link #LOADING} until the load ends ({@link #endLoad}) or its load timeout releases the key
	 * ({@link #releaseLoad}), whichever comes first; set by compare-and-set only, once.
	 */
	private volatile int loadState;

	private static final int LOADING = 0;

	private static final int ENDED = 1;

	private static final int RELEASED = 2;

	/**
	 * When the load started, by the instance's ticker; written by the leader before
	 * {@link #loadStarted}, read by the load timeout's sweep after it.
	 */
	private long loadStart;

	/** Whether the load runs (or ran): set once by the leader, after {@link #loadStart}. */
	private volatile boolean loadStarted;

	/**
	 * Asynchronous followers still waiting: each removes itself when its own future ends (its
	 * timeout, its cancellation), so that a load that never ends keeps no callback of a follower
	 * that left. Whoever removes a follower from the set delivers to it, at most once. Created by
	 * the first asynchronous follower ({@link #asyncFollowers()}), so that most flights, which have
	 * none, cost no set.
	 */
	private volatile @Nullable Set<AsyncFollower> asyncFollowers;

	/** 1 once the one callback that delivers to {@link #asyncFollowers} is on {@link #result}. */
	private volatile int asyncDelivery;

	/** A flight led by the caller that creates it. */
	Flight(long epoch) {
		this(false, epoch);
	}

	private Flight(boolean refresh, long epoch) {
		this.refresh = refresh;
		this.epoch = epoch;
	}

	/** A flight of an early refresh, led by a background thread rather than a caller. */
	static Flight refresh(long epoch) {
		return new Flight(true, epoch);
	}

	// --- the load's end, or its release by the load timeout: exactly one of the two

	/** The load starts now ({@code now}, by the instance's ticker): the load timeout counts from here. */
	void loadStarts(long now) {
		this.loadStart = now;
		this.loadStarted = true;
	}

	/** Whether the load has run for at least {@code timeoutNanos} at {@code now} and not ended. */
	boolean loadOverdue(long now, long timeoutNanos) {
		return this.loadStarted && this.loadState == LOADING && now - this.loadStart >= timeoutNanos;
	}

	/** The load ended; {@code false} if its key was released first (its end is then not reported). */
	boolean endLoad() {
		return LOAD_STATE.compareAndSet(this, LOADING, ENDED);
	}

	/** The load timeout fired; {@code false} if the load ended first. */
	boolean releaseLoad() {
		return LOAD_STATE.compareAndSet(this, LOADING, RELEASED);
	}

	/** Whether the load timeout released the key: the load's result is then stored nowhere. */
	boolean released() {
		return this.loadState == RELEASED;
	}

	/**
	 * Hands the outcome to every caller attached, once: a later call does nothing (the leader
	 * of a distributed load hands its value over as soon as it is loaded, then settles again).
	 * @param followerResult how those callers are counted, written before they can read it
	 */
	void settle(@Nullable Object value, @Nullable Throwable failure, CallResult followerResult) {
		if (this.result.isDone()) {
			return;
		}
		this.followerResult = followerResult;
		if (failure != null) {
			this.result.completeExceptionally(failure);
		}
		else {
			this.result.complete(value);
		}
		this.woken.complete(null);
		ScheduledFuture<?> timer = this.watchdog;
		if (timer != null) {
			timer.cancel(false);
		}
	}

	/** How the callers attached to a flight are counted when its leader was served as {@code served}. */
	static CallResult followersServedAs(CallResult served) {
		return (served == CallResult.LEADER) ? CallResult.FOLLOWER : served;
	}

	/** A future of the leader's own: completing or cancelling it leaves {@link #result} alone. */
	CompletableFuture<@Nullable Object> copy() {
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		this.result.whenComplete((value, failure) -> deliver(mine, value, failure));
		return mine;
	}

	// --- waiting: one timeout, one outcome, a synchronous and an asynchronous face

	/**
	 * Waits, on this thread, for the outcome, for the instance's wait timeout at most.
	 * @return the loaded value
	 * @throws Throwable the load's exception, {@link CollapseTimeoutException} or
	 * {@link CollapseInterruptedException}
	 */
	@Nullable Object await(CollapseInstance instance) throws Throwable {
		LoadObservation observation = instance.events.startWait();
		Throwable failure = null;
		try {
			return awaitOutcome(instance);
		}
		catch (Throwable ex) {
			failure = ex;
			throw ex;
		}
		finally {
			observation.stop(servedAs(), failure);
		}
	}

	private @Nullable Object awaitOutcome(CollapseInstance instance) throws Throwable {
		long start = instance.ticker.read();
		long arrived = System.nanoTime();
		try {
			if (claimWatchdog()) {
				startWatchdog(instance);
			}
			this.woken.get();
			// done: returns at once, no timer; woken by the watchdog: the rest of this caller's timeout
			Object value = this.result.get(instance.waitTimeoutNanos - (System.nanoTime() - arrived),
					TimeUnit.NANOSECONDS);
			instance.events.onCall(this.followerResult);
			return value;
		}
		catch (ExecutionException ex) {
			instance.events.onCall(this.followerResult);
			throw ex.getCause();
		}
		catch (TimeoutException ex) {
			throw timedOut(instance);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CollapseInterruptedException(instance.name, ex);
		}
		finally {
			instance.events.onWait(instance.ticker.read() - start);
		}
	}

	/** Whether the calling follower is the first to ask, and so starts the watchdog. */
	private boolean claimWatchdog() {
		return this.watched == 0 && WATCHED.compareAndSet(this, 0, 1);
	}

	private void startWatchdog(CollapseInstance instance) {
		ScheduledFuture<?> timer;
		try {
			timer = instance.scheduler.schedule(() -> this.woken.complete(null), instance.waitTimeoutNanos,
					TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// no timer to be had (the application is closing): every follower waits timed, alone
			this.woken.complete(null);
			return;
		}
		this.watchdog = timer;
		if (this.woken.isDone()) {
			// the flight ended before the watchdog was published: nobody else stops it
			timer.cancel(false);
		}
	}

	/**
	 * Asynchronous face of {@link #await}: a future of the follower's own, failed with
	 * {@link CollapseTimeoutException} when its own timer fires ({@link #timeOut}). The wait and
	 * the call are counted when the outcome arrives, even after the follower's future timed out or
	 * was cancelled. When the scheduler refuses the timer (the application is closing), the future
	 * fails at once with a {@link CollapseException} rather than wait with no end.
	 */
	CompletableFuture<@Nullable Object> awaitAsync(CollapseInstance instance) {
		LoadObservation observation = instance.events.startWait();
		long start = instance.ticker.read();
		CompletableFuture<@Nullable Object> mine = new CompletableFuture<>();
		ScheduledFuture<?> timer;
		try {
			timer = instance.scheduler.schedule(() -> timeOut(instance, mine), instance.waitTimeoutNanos,
					TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			CollapseException closed = new CollapseException("Cannot time the wait for the load of collapse instance '"
					+ instance.name + "': its scheduler is shut down (the application is closing)", ex);
			observation.stop(null, closed);
			return CompletableFuture.failedFuture(closed);
		}
		AsyncFollower follower = new AsyncFollower(instance, start, mine);
		Set<AsyncFollower> followers = asyncFollowers();
		followers.add(follower);
		mine.whenComplete((value, failure) -> {
			// however the follower's future ends (outcome, its own timeout, cancelled by the
			// caller), its timer has nothing left to do, and the flight keeps nothing of it
			timer.cancel(false);
			if (followers.remove(follower)) {
				// it left before the outcome: its wait is counted now, like a synchronous follower's
				instance.events.onWait(instance.ticker.read() - start);
			}
			observation.stop(servedAs(), failure);
		});
		if (this.asyncDelivery == 0 && ASYNC_DELIVERY.compareAndSet(this, 0, 1)) {
			this.result.whenComplete((value, failure) -> deliverToAsyncFollowers());
		}
		else if (this.result.isDone()) {
			// the delivery may have walked the set before this follower was in it
			deliverToAsyncFollowers();
		}
		return mine;
	}

	/** The set of asynchronous followers, created by the first one. */
	private Set<AsyncFollower> asyncFollowers() {
		Set<AsyncFollower> followers = this.asyncFollowers;
		if (followers == null) {
			ASYNC_FOLLOWERS.compareAndSet(this, null, ConcurrentHashMap.newKeySet());
			followers = this.asyncFollowers;
		}
		return followers;
	}

	/** Hands the outcome, which is known, to every asynchronous follower still in the set. */
	private void deliverToAsyncFollowers() {
		Object value = null;
		Throwable failure = null;
		try {
			value = this.result.join();
		}
		catch (Throwable ex) {
			failure = ex;
		}
		Set<AsyncFollower> followers = asyncFollowers();
		for (AsyncFollower follower : followers) {
			if (followers.remove(follower)) {
				follower.instance.events.onWait(follower.instance.ticker.read() - follower.start);
				follower.instance.events.onCall(this.followerResult);
				deliver(follower.future, value, failure);
			}
		}
	}

	/** An asynchronous follower: where it waits, since when, and its own future. */
	private record AsyncFollower(CollapseInstance instance, long start, CompletableFuture<@Nullable Object> future) {

		// identity, not the record's value equality: two followers are never the same
		@Override
		public boolean equals(@Nullable Object other) {
			return this == other;
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(this);
		}

	}

	/**
	 * Runs on the scheduler when an asynchronous follower's wait timeout is up: fails its future on
	 * the instance's executor, where the caller's dependent stages may run. When the executor
	 * refuses (saturated, shut down), the future fails here all the same, the one case where those
	 * stages run on the timer's thread: a caller is never left waiting.
	 */
	private static void timeOut(CollapseInstance instance, CompletableFuture<@Nullable Object> mine) {
		CollapseTimeoutException timeout = timedOut(instance);
		try {
			instance.executor.execute(() -> mine.completeExceptionally(timeout));
		}
		catch (Throwable ex) {
			timeout.addSuppressed(new CollapseException("The timeout of a caller of collapse instance '" + instance.name
					+ "' was delivered on the scheduler's thread: the executor refused it (saturated or shut down)", ex));
			mine.completeExceptionally(timeout);
		}
	}

	/** How a follower that stops waiting now was served: {@code null} if the outcome had not reached it. */
	private @Nullable CallResult servedAs() {
		// followerResult is written before the result completes: once done, it is final
		return this.result.isDone() ? this.followerResult : null;
	}

	private static CollapseTimeoutException timedOut(CollapseInstance instance) {
		return new CollapseTimeoutException(instance.name, instance.settings.waitTimeout());
	}

	private static void deliver(CompletableFuture<@Nullable Object> mine, @Nullable Object value,
			@Nullable Throwable failure) {
		if (failure != null) {
			mine.completeExceptionally(unwrap(failure));
		}
		else {
			mine.complete(value);
		}
	}

	/** The exception a future failed with, without the wrappers futures add. */
	static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static final VarHandle WATCHED;

	private static final VarHandle LOAD_STATE;

	private static final VarHandle ASYNC_DELIVERY;

	private static final VarHandle ASYNC_FOLLOWERS;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			WATCHED = lookup.findVarHandle(Flight.class, "watched", int.class);
			LOAD_STATE = lookup.findVarHandle(Flight.class, "loadState", int.class);
			ASYNC_DELIVERY = lookup.findVarHandle(Flight.class, "asyncDelivery", int.class);
			ASYNC_FOLLOWERS = lookup.findVarHandle(Flight.class, "asyncFollowers", Set.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

}
