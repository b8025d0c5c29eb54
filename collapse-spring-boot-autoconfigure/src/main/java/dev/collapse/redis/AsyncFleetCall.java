package dev.collapse.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.AsyncLoader;
import dev.collapse.core.CallResult;
import dev.collapse.core.spi.DistributedCoordinator.Outcome;
import dev.collapse.core.spi.DistributedUnavailableException;
import dev.collapse.redis.LeaseKeeper.RedisLease;
import dev.collapse.redis.EntryReader.Read;

/**
 * One asynchronous call of {@link RedisInstanceCoordinator#serveAsync}: the flow of
 * {@link RedisInstanceCoordinator#serve} (docs/design.md, Redis protocol), with the same steps,
 * cut where it would wait, so that it holds no thread while it does: its wait for another node's
 * completion is a callback of the waiter (with a timer of the layer's scheduler for the lease's
 * end), the pause before contending again a scheduled continuation, and its load a callback of
 * the load's stage. Each step that sends Redis commands runs on the layer's executor: they block
 * for at most the command timeout. A step runs only after the previous one handed it over, so
 * the fields need no lock.
 */
final class AsyncFleetCall {

	private final RedisInstanceCoordinator fleet;

	private final RedisDistributedLayer layer;

	private final Object key;

	private final AsyncLoader load;

	private final long deadline;

	private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

	private @Nullable String entry;

	private @Nullable String lock;

	/** An expired entry still kept, which can stand in for a failed load (stale-if-error). */
	private @Nullable Read previous;

	private boolean ignoreEntry;

	private boolean waited;

	/** Whether the load started: from then on a failure is the load's, never a reason to fall back. */
	private volatile boolean loading;

	AsyncFleetCall(RedisInstanceCoordinator fleet, RedisDistributedLayer layer, Object key, AsyncLoader load,
			long waitNanos) {
		this.fleet = fleet;
		this.layer = layer;
		this.key = key;
		this.load = load;
		this.deadline = System.nanoTime() + waitNanos;
	}

	/** Starts the call on the layer's executor; the caller's thread never blocks. */
	CompletableFuture<Outcome> start() {
		next(this::begin);
		return this.outcome;
	}

	private void begin() {
		String entry = this.fleet.evictions().entry(this.key);
		if (entry == null) {
			throw new DistributedUnavailableException("a key that the fleet cannot encode", null);
		}
		this.fleet.evictions().serving(entry, this.key);
		this.entry = entry;
		this.lock = RedisKeys.lock(entry);
		Read current = this.fleet.readEntry(entry);
		if (RedisInstanceCoordinator.fresh(current)) {
			succeed(this.fleet.hit(current, CallResult.HIT));
			return;
		}
		this.previous = (current != EntryReader.CORRUPT) ? current : null;
		this.ignoreEntry = current == EntryReader.CORRUPT;
		contend();
	}

	private void contend() {
		while (true) {
			String token = this.layer.leases().newToken();
			LeaseReply reply = this.fleet.acquire(this.entry, this.lock, token, this.ignoreEntry);
			if (reply.kind() == LeaseReply.Kind.FRESH_ENTRY) {
				Read stored = this.fleet.given(reply);
				if (stored != null) {
					succeed(this.fleet.hit(stored, this.waited ? CallResult.REMOTE : CallResult.HIT));
					return;
				}
				this.ignoreEntry = true;
				continue;
			}
			if (reply.kind() == LeaseReply.Kind.TAKEN) {
				lead(token);
			}
			else {
				await(reply);
			}
			return;
		}
	}

	/** Waits for the holder of the lease without a thread: the waiter's signal or a timer goes on. */
	private void await(LeaseReply reply) {
		String entry = this.entry;
		String holder = reply.holder();
		CompletableFuture<Signal> waiter = this.layer.channel().register(entry);
		Read done;
		try {
			// the completion may have been published before the waiter existed
			done = this.fleet.readFor(entry, holder);
		}
		catch (RuntimeException | Error ex) {
			this.layer.channel().unregister(entry, waiter);
			throw ex;
		}
		if (done != null) {
			this.layer.channel().unregister(entry, waiter);
			succeed(this.fleet.hit(done, CallResult.REMOTE));
			return;
		}
		long wait = RedisInstanceCoordinator.waitNanos(reply, this.deadline);
		if (wait <= 0) {
			this.layer.channel().unregister(entry, waiter);
			woken(holder, null);
			return;
		}
		// woken by the holder's message, a wake-up of every waiter, or, with null, the lease's end
		sleep(waiter, wait, (signal) -> woken(holder, signal));
	}

	/**
	 * Goes on with {@code then} when {@code waiter} (registered for the entry) is woken, or after
	 * {@code nanos} with {@code null}, whichever comes first, on the executor. The timer is the
	 * layer's; the waiter makes sure that a wake-up of every waiter (Redis lost, the layer closed)
	 * ends this sleep too, even once the timers are gone.
	 */
	private void sleep(CompletableFuture<Signal> waiter, long nanos, SignalStep then) {
		String entry = this.entry;
		CompletableFuture<@Nullable Signal> woken = new CompletableFuture<>();
		ScheduledFuture<?> timer;
		try {
			timer = this.layer.scheduler().schedule(() -> woken.complete(null), nanos, TimeUnit.NANOSECONDS);
		}
		catch (RuntimeException ex) {
			this.layer.channel().unregister(entry, waiter);
			throw ex;
		}
		waiter.thenAccept(woken::complete);
		woken.thenAccept((signal) -> {
			// on an I/O thread or the scheduler's: the rest reads Redis, on the executor
			timer.cancel(false);
			this.layer.channel().unregister(entry, waiter);
			next(() -> then.run(signal));
		});
	}

	private void woken(String holder, @Nullable Signal signal) {
		this.waited = true;
		Read done = this.fleet.woken(this.entry, holder, signal);
		if (done != null) {
			succeed(this.fleet.hit(done, CallResult.REMOTE));
			return;
		}
		if (System.nanoTime() - this.deadline >= 0) {
			fail(this.fleet.timeout());
			return;
		}
		if (!RedisInstanceCoordinator.contendsLater(signal)) {
			contend();
			return;
		}
		// the holder failed or vanished: contend again after a pause, which a completion ends early
		CompletableFuture<Signal> waiter = this.layer.channel().register(this.entry);
		sleep(waiter, TimeUnit.MILLISECONDS.toNanos(RedisInstanceCoordinator.pauseMillis()), (ignored) -> contend());
	}

	/** Starts the load under the lease {@code token}; its stage's completion completes the lead. */
	private void lead(String token) {
		String entry = this.entry;
		String lock = this.lock;
		RedisLease lease = this.fleet.renew(entry, lock, token);
		long start = System.nanoTime();
		this.loading = true;
		CompletionStage<?> stage;
		try {
			stage = this.load.load();
			if (stage == null) {
				throw new NullPointerException("the load returned a null stage");
			}
		}
		catch (Throwable ex) {
			stage = CompletableFuture.failedFuture(ex);
		}
		stage.whenComplete((value, failure) -> next(() -> succeed(this.fleet.completion()
			.loaded(entry, lock, token, lease, start, value, unwrap(failure), this.previous, false))));
	}

	/**
	 * Runs {@code step} on the layer's executor. Refused (saturated, shut down): before the load,
	 * the call fails as unavailable and its caller leads in its JVM; after it, the step runs here,
	 * since the load's result must be completed in Redis, its waiters woken.
	 */
	private void next(Step step) {
		try {
			this.layer.executor().execute(() -> run(step));
		}
		catch (RejectedExecutionException ex) {
			if (this.loading) {
				run(step);
			}
			else {
				fail(ex);
			}
		}
	}

	private void run(Step step) {
		try {
			step.run();
		}
		catch (Throwable ex) {
			fail(ex);
		}
	}

	private void succeed(Outcome served) {
		done();
		this.outcome.complete(served);
	}

	private void fail(Throwable failure) {
		done();
		Throwable delivered = (!this.loading && failure instanceof RejectedExecutionException)
				? new DistributedUnavailableException("Redis layer has no thread for the call", failure) : failure;
		this.outcome.completeExceptionally(delivered);
	}

	/** Ends the serving registration of the key, once: the eviction of a served key finds it until then. */
	private void done() {
		String entry = this.entry;
		if (entry != null && !this.outcome.isDone()) {
			this.fleet.evictions().done(entry);
		}
	}

	private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
		return ((failure instanceof CompletionException || failure instanceof ExecutionException)
				&& failure.getCause() != null) ? failure.getCause() : failure;
	}

	/** A step that goes on from a sleep, given what woke it ({@code null}: its time ran out). */
	@FunctionalInterface
	private interface SignalStep {

		void run(@Nullable Signal signal) throws Throwable;

	}

	/** A step of the call, which may throw: whatever it throws fails the call. */
	@FunctionalInterface
	private interface Step {

		void run() throws Throwable;

	}

}
