package dev.collapse.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A leader's load with its retries: one decision (retry or give up, and after what backoff) with
 * a synchronous face that sleeps on the leader's thread and an asynchronous one that schedules
 * the next attempt (a timer waits the backoff, the instance's executor runs the attempt).
 * Followers never retry: they wait for the leader's last attempt. Stateless
 * beyond its instance; each load keeps its attempt count on its own stack or in its callbacks.
 */
final class Retry {

	private final CollapseInstance instance;

	private final RetrySettings settings;

	Retry(CollapseInstance instance) {
		this.instance = instance;
		this.settings = instance.settings.retry();
	}

	/** Runs {@code loader} on this thread until an attempt succeeds or no retry is left. */
	@Nullable Object load(Loader loader) throws Throwable {
		for (int attempt = 1;; attempt++) {
			try {
				return loader.load();
			}
			catch (Throwable ex) {
				long delay = backoffBeforeRetry(ex, attempt);
				if (delay < 0) {
					throw ex;
				}
				try {
					// a jittered backoff between attempts of the leader's own load, not a wait loop
					TimeUnit.NANOSECONDS.sleep(delay);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					ex.addSuppressed(interrupted);
					throw ex;
				}
			}
		}
	}

	/**
	 * Starts {@code loader}'s first attempt on this thread and completes {@code outcome} with the
	 * value of the first attempt that succeeds, or the exception of the last one.
	 */
	void loadAsync(AsyncLoader loader, CompletableFuture<@Nullable Object> outcome) {
		attempt(loader, 1, outcome);
	}

	/** Runs an asynchronous load with its retries and waits for it, on a thread that may block. */
	@Nullable Object await(AsyncLoader loader) throws Throwable {
		CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
		attempt(loader, 1, outcome);
		try {
			return outcome.get();
		}
		catch (ExecutionException ex) {
			throw Flight.unwrap(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CollapseInterruptedException(this.instance.name, ex);
		}
	}

	private void attempt(AsyncLoader loader, int attempt, CompletableFuture<@Nullable Object> outcome) {
		CompletionStage<?> stage;
		try {
			stage = loader.load();
			if (stage == null) {
				throw new NullPointerException("The load of collapse instance '" + this.instance.name
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
			Throwable cause = Flight.unwrap(failure);
			try {
				retryOrGiveUp(loader, attempt, cause, outcome);
			}
			catch (Throwable ex) {
				// thrown by the retry decision (a listener's Error on onRetry, an OutOfMemoryError
				// from the scheduler): nothing in this callback reaches anybody, so the outcome
				// carries it, or the load would never end
				if (ex != cause) {
					ex.addSuppressed(cause);
				}
				outcome.completeExceptionally(ex);
			}
		});
	}

	/** After attempt number {@code attempt} failed with {@code cause}: schedules the next one or fails. */
	private void retryOrGiveUp(AsyncLoader loader, int attempt, Throwable cause,
			CompletableFuture<@Nullable Object> outcome) {
		long delay = backoffBeforeRetry(cause, attempt);
		if (delay < 0) {
			outcome.completeExceptionally(cause);
			return;
		}
		try {
			this.instance.scheduler.schedule(() -> runAttempt(loader, attempt + 1, cause, outcome), delay,
					TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			cause.addSuppressed(ex);
			outcome.completeExceptionally(cause);
		}
	}

	/**
	 * Runs on the scheduler once the backoff is over: hands the attempt to the instance's executor,
	 * since the attempt is the application's code (the rest of the interceptor chain and the
	 * method body) and a timer thread runs timers only (see docs/design.md, "Threads"). When the
	 * executor refuses, the load ends here with the last attempt's exception: its callers never
	 * wait for an attempt that will not run.
	 */
	private void runAttempt(AsyncLoader loader, int attempt, Throwable lastFailure,
			CompletableFuture<@Nullable Object> outcome) {
		try {
			this.instance.executor.execute(() -> attempt(loader, attempt, outcome));
		}
		catch (Throwable ex) {
			// refused (saturated, shut down) or no thread to be had (an OutOfMemoryError)
			lastFailure.addSuppressed(new CollapseException("Attempt " + attempt + " of the load of collapse instance '"
					+ this.instance.name + "' did not run: its executor refused it (saturated or shut down)", ex));
			outcome.completeExceptionally(lastFailure);
		}
	}

	/**
	 * The one retry decision of both faces: after attempt number {@code attempt} failed with
	 * {@code failure}, the backoff to wait before the next one (the retry is reported), or -1
	 * when the load gives up with {@code failure}.
	 */
	private long backoffBeforeRetry(Throwable failure, int attempt) {
		if (attempt >= this.settings.maxAttempts() || !this.settings.retries(failure)) {
			return -1;
		}
		this.instance.events.onRetry();
		return Backoff.delayNanos(this.settings, attempt);
	}

}
