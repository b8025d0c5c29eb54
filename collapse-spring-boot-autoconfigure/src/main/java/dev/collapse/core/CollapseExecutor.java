package dev.collapse.core;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where collapse runs the application's code that a timer made due, so that timer threads run
 * timers only: an asynchronous load's retry (the rest of the interceptor chain and the method
 * body), and the timeout of an asynchronous follower, whose caller's dependent stages run on the
 * thread that completes its future. See docs/design.md, "Threads".
 *
 * <p>A type of its own rather than an {@link Executor} bean, so that defining it never displaces
 * an application's own executors (Spring Boot's {@code applicationTaskExecutor} backs off when any
 * {@code Executor} bean exists). What the executor refuses (saturated, shut down) never leaves a
 * caller waiting: a retry it refuses ends the load with the last attempt's exception, a timeout it
 * refuses is delivered on the timer's thread, both with a {@link CollapseException} saying why
 * among the exception's suppressed ones.
 */
public final class CollapseExecutor implements AutoCloseable {

	/** Default of {@code collapse.executor.max-threads}, for a registry built without an executor. */
	static final int DEFAULT_MAX_THREADS = 16;

	/** Default of {@code collapse.executor.queue-capacity}, for a registry built without an executor. */
	static final int DEFAULT_QUEUE_CAPACITY = 10_000;

	private final Executor executor;

	private final boolean owned;

	private CollapseExecutor(Executor executor, boolean owned) {
		this.executor = Objects.requireNonNull(executor, "executor");
		this.owned = owned;
	}

	/** Runs collapse's work on {@code executor}, which the caller owns and shuts down. */
	public static CollapseExecutor of(Executor executor) {
		return new CollapseExecutor(executor, false);
	}

	/**
	 * A pool of at most {@code maxThreads} daemon threads named {@code collapse-exec-N}, idle ones
	 * ending after 30 seconds, with a queue of at most {@code queueCapacity} tasks; beyond it the
	 * pool refuses.
	 */
	public static CollapseExecutor bounded(int maxThreads, int queueCapacity) {
		return new CollapseExecutor(pool("collapse-exec-", maxThreads, queueCapacity), true);
	}

	/**
	 * A bounded pool of daemon threads named {@code prefix} and a number, that refuses beyond its
	 * queue; the one recipe of the pools collapse creates.
	 */
	static ThreadPoolExecutor pool(String prefix, int maxThreads, int queueCapacity) {
		if (maxThreads < 1 || queueCapacity < 1) {
			throw new IllegalArgumentException(
					"a pool needs at least one thread and one queue slot, not " + maxThreads + " and " + queueCapacity);
		}
		AtomicInteger count = new AtomicInteger();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(maxThreads, maxThreads, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(queueCapacity), (task) -> {
					Thread thread = new Thread(task, prefix + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.AbortPolicy());
		pool.allowCoreThreadTimeOut(true);
		return pool;
	}

	/** The executor itself. */
	public Executor executor() {
		return this.executor;
	}

	/**
	 * Shuts down the pool if this object created it: new work is refused, but what is queued still
	 * runs, since each task ends some caller's wait (a retry, a timeout). Its threads are daemons:
	 * they never hold up the JVM's exit.
	 */
	@Override
	public void close() {
		if (this.owned && this.executor instanceof ThreadPoolExecutor pool) {
			pool.shutdown();
		}
	}

}
