package dev.collapse.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A load that the distributed coordinator runs for {@link FleetLeader}, reported like a local one,
 * in either form: {@link #load} runs a synchronous load on the coordinator's thread,
 * {@link #loadAsync} starts an asynchronous one and reports it when its stage completes. Its
 * value settles the flight at once, before Redis has it.
 */
final class FleetLoad implements Loader {

	private final CollapseInstance instance;

	/** The flight whose followers get the value as soon as it is loaded; {@code null} for a refresh. */
	private final @Nullable Flight flight;

	/** The synchronous load with its retries; {@code null} in the asynchronous form. */
	private final @Nullable Loader attempts;

	/** The asynchronous load, without its retries; {@code null} in the synchronous form. */
	private final @Nullable AsyncLoader asyncLoader;

	/** Whether the coordinator ran the load; read after the coordinator's outcome. */
	volatile boolean ran;

	/** How long the load took; read after the coordinator's outcome. */
	volatile long nanos;

	private FleetLoad(CollapseInstance instance, @Nullable Flight flight, @Nullable Loader attempts,
			@Nullable AsyncLoader asyncLoader) {
		this.instance = instance;
		this.flight = flight;
		this.attempts = attempts;
		this.asyncLoader = asyncLoader;
	}

	/** A synchronous load: {@code attempts} is the load with its retries. */
	static FleetLoad of(CollapseInstance instance, Loader attempts, @Nullable Flight flight) {
		return new FleetLoad(instance, flight, attempts, null);
	}

	/** An asynchronous load of {@code flight}, retried by the instance's {@link Retry}. */
	static FleetLoad ofAsync(CollapseInstance instance, AsyncLoader loader, Flight flight) {
		return new FleetLoad(instance, flight, null, loader);
	}

	@Override
	public @Nullable Object load() throws Throwable {
		LoadObservation observation = begin();
		long start = this.instance.ticker.read();
		Object value = null;
		Throwable failure = null;
		try (LoadObservation.Scope scope = observation.openScope()) {
			value = this.attempts.load();
		}
		catch (Throwable ex) {
			failure = ex;
		}
		end(observation, start, value, failure);
		if (failure != null) {
			throw failure;
		}
		return value;
	}

	/**
	 * Starts the asynchronous load with its retries on the instance's executor, since its start is
	 * the application's code (the rest of the interceptor chain, the method body) and the
	 * coordinator's thread runs the fleet's steps only (docs/design.md, Threads); on this thread
	 * if the executor refuses. The stage completes once the load is reported, with its value or
	 * the exception of its last attempt.
	 */
	CompletionStage<@Nullable Object> loadAsync() {
		LoadObservation observation = begin();
		long start = this.instance.ticker.read();
		CompletableFuture<@Nullable Object> outcome = new CompletableFuture<>();
		Runnable first = () -> startAsync(observation, outcome);
		try {
			this.instance.executor.execute(first);
		}
		catch (RuntimeException ex) {
			first.run();
		}
		return outcome.handle((value, failure) -> {
			Throwable cause = (failure != null) ? Flight.unwrap(failure) : null;
			end(observation, start, value, cause);
			if (cause != null) {
				throw new CompletionException(cause);
			}
			return value;
		});
	}

	private void startAsync(LoadObservation observation, CompletableFuture<@Nullable Object> outcome) {
		// while the load's synchronous part runs here, a call of its own key is a recursion
		this.flight.loadingThread = Thread.currentThread();
		try {
			this.instance.retry.loadAsync(LocalLeader.inScope(observation, this.asyncLoader), outcome);
		}
		catch (Throwable ex) {
			// the retry's own failure (a listener's Error): the load ends with it, or it never would
			outcome.completeExceptionally(ex);
		}
		finally {
			this.flight.loadingThread = null;
		}
	}

	private LoadObservation begin() {
		this.ran = true;
		LoadObservation observation = this.instance.events.startLoad();
		if (this.flight != null) {
			// the lease keeps its own deadline in Redis; this one releases the key in this JVM
			this.instance.loadTimeouts.start(this.flight);
		}
		return observation;
	}

	/** Reports the load that began at {@code start}; a value settles the flight for this node's followers. */
	private void end(LoadObservation observation, long start, @Nullable Object value, @Nullable Throwable failure) {
		this.nanos = this.instance.ticker.read() - start;
		try {
			if (this.flight == null || this.flight.endLoad()) {
				// else its load timeout released the key and counted it already
				this.instance.events.onLoad(failure == null, this.nanos);
			}
		}
		finally {
			observation.stop(CallResult.LEADER, failure);
		}
		if (this.flight != null && failure == null) {
			// a loaded value is the flight's outcome whatever Redis answers next: this node's
			// followers have it now, while the leader writes it and wakes the other nodes
			this.flight.settle(value, null, CallResult.FOLLOWER);
		}
	}

}
