package dev.collapse.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.awaitility.Awaitility;

/**
 * Callers released together by one latch, on a fixed pool of platform threads this object owns
 * and shuts down. Also reads how many callers wait on a load, so that a test can hold a load
 * until every caller has arrived instead of hoping they overlap.
 */
public final class Herd implements AutoCloseable {

	/** Upper bound of any wait in a test: long enough never to be reached unless something hangs. */
	public static final Duration PATIENCE = Duration.ofSeconds(30);

	private final ExecutorService pool;

	private final CountDownLatch gate = new CountDownLatch(1);

	private final List<Future<?>> submitted = new ArrayList<>();

	public Herd(int threads) {
		this.pool = Executors.newFixedThreadPool(threads);
	}

	/** Queues a caller; it starts when {@link #release()} is called. */
	public <T> Future<T> add(Caller<T> caller) {
		Future<T> future = this.pool.submit((Callable<T>) () -> {
			this.gate.await();
			try {
				return caller.call();
			}
			catch (Exception | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new IllegalStateException(ex);
			}
		});
		this.submitted.add(future);
		return future;
	}

	/** Lets every queued caller go at once. */
	public void release() {
		this.gate.countDown();
	}

	/** The caller's result, or its exception as thrown (not wrapped). */
	public static <T> T result(Future<T> future) throws Throwable {
		try {
			return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			throw ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new AssertionError("a caller did not finish within " + PATIENCE, ex);
		}
	}

	/**
	 * Waits until {@code threads.size()} callers (the leader excluded) wait on the load of
	 * {@code key} and every one of {@code threads} is parked. The count says they attached to the
	 * flight; the thread state says they went on to park, which a follower does nowhere but in its
	 * wait once it has attached (the flight's timer is scheduled without blocking). Neither looks
	 * at method names, so moving the waiting code never turns this into a timeout.
	 */
	public static void awaitParkedFollowers(CollapseInstance instance, Object key, Collection<Thread> threads) {
		Awaitility.await("followers of the load, parked")
			.atMost(PATIENCE)
			.pollInSameThread()
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> instance.followers(key) >= threads.size()
					&& threads.stream().allMatch((thread) -> thread.getState() == Thread.State.WAITING));
	}

	/** Waits until {@code followers} callers (the leader excluded) wait on the load of {@code key}. */
	public static void awaitFollowers(CollapseInstance instance, Object key, int followers) {
		Awaitility.await("followers of the load")
			.atMost(PATIENCE)
			.pollInSameThread()
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(2))
			.until(() -> instance.followers(key) >= followers);
	}

	/** Callers waiting on the load of {@code key}, the leader excluded; -1 if no load runs. */
	public static int followers(CollapseInstance instance, Object key) {
		return instance.followers(key);
	}

	/** Waits on {@code latch} for at most {@link #PATIENCE}, failing the load if it is never opened. */
	public static void hold(CountDownLatch latch) {
		try {
			if (!latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
				throw new AssertionError("a held load was never released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted while a load was held", ex);
		}
	}

	/** One caller: may throw whatever the code under test throws. */
	@FunctionalInterface
	public interface Caller<T> {

		T call() throws Throwable;

	}

	@Override
	public void close() throws InterruptedException {
		this.gate.countDown();
		this.pool.shutdownNow();
		if (!this.pool.awaitTermination(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
			throw new AssertionError("callers still running after " + PATIENCE);
		}
	}

}
