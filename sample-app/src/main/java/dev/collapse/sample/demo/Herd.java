package dev.collapse.sample.demo;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Fires one herd: {@code requests} calls that all arrive at the same instant, at most
 * {@code concurrency} of them served at a time, as a servlet container with that many worker
 * threads would serve them. On JDK 21 and later each call waits on a virtual thread of its own and
 * a semaphore keeps the bound; on JDK 17 a fixed pool of platform threads does.
 *
 * <p>Every call is queued before the herd is released, so that the cost of starting threads is not
 * mistaken for a herd that trickles in. A call's latency runs from that release to the moment it
 * returned: time spent queueing for a worker, a database connection or a leader's result all
 * counts, as it does for a user. A call that throws counts as an error by exception type and keeps
 * its latency; a call still running at the deadline counts as an error too. Nothing is retried or
 * dropped.
 */
final class Herd {

	/** Longest a herd may run; far beyond any wait the connection pool or collapse allows. */
	private static final long DEADLINE_SECONDS = 300;

	private static final Method NEW_VIRTUAL_EXECUTOR = virtualThreadExecutorFactory();

	private final int concurrency;

	Herd(int concurrency) {
		if (concurrency < 1) {
			throw new IllegalArgumentException("concurrency must be at least 1");
		}
		this.concurrency = concurrency;
	}

	/** How calls are run, for the report. */
	String threads() {
		return (NEW_VIRTUAL_EXECUTOR != null) ? "virtual threads, " + this.concurrency + " at a time"
				: "fixed pool of " + this.concurrency + " platform threads";
	}

	/**
	 * Fires the herd and waits for every call.
	 * @param upstream counts what the herd costs upstream (database queries, tokens issued), read
	 * before and after
	 */
	HerdRun fire(String mode, int requests, Callable<?> call, LongSupplier upstream) throws InterruptedException {
		long[] latencies = new long[requests];
		Map<String, LongAdder> errors = new ConcurrentHashMap<>();
		// latencies[i] is written by call i before it counts down, and read only after await()
		CountDownLatch done = new CountDownLatch(requests);
		long upstreamBefore = upstream.getAsLong();
		long released;
		boolean finished;
		try (Gate gate = Gate.open(this.concurrency, requests)) {
			for (int i = 0; i < requests; i++) {
				int index = i;
				gate.queue(() -> {
					try {
						call.call();
					}
					catch (Throwable ex) {
						errors.computeIfAbsent(ex.getClass().getSimpleName(), (type) -> new LongAdder()).increment();
					}
					finally {
						latencies[index] = System.nanoTime() - gate.releasedAt();
						done.countDown();
					}
				});
			}
			released = gate.release();
			finished = done.await(DEADLINE_SECONDS, TimeUnit.SECONDS);
		}
		long wallNanos = System.nanoTime() - released;
		long upstreamCalls = upstream.getAsLong() - upstreamBefore;
		Map<String, Long> errorTypes = new TreeMap<>();
		errors.forEach((type, count) -> errorTypes.put(type, count.sum()));
		if (!finished) {
			// calls still running at the deadline took at least the whole run
			for (int i = 0; i < latencies.length; i++) {
				latencies[i] = (latencies[i] == 0) ? wallNanos : latencies[i];
			}
			errorTypes.put("unfinished after " + DEADLINE_SECONDS + "s", done.getCount());
		}
		long errorCount = errorTypes.values().stream().mapToLong(Long::longValue).sum();
		long[] sorted = latencies.clone();
		Arrays.sort(sorted);
		return new HerdRun(mode, requests, upstreamCalls, millis(percentile(sorted, 50)), millis(percentile(sorted, 99)),
				millis(sorted[sorted.length - 1]), errorCount, errorTypes, millis(wallNanos));
	}

	/** Nearest-rank percentile of sorted values. */
	static long percentile(long[] sorted, int percent) {
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(rank, 1) - 1];
	}

	private static double millis(long nanos) {
		return Math.round(nanos / 100_000.0) / 10.0;
	}

	private static Method virtualThreadExecutorFactory() {
		if (Runtime.version().feature() < 21) {
			return null;
		}
		try {
			// compiled for 17: reach the JDK 21 method reflectively
			return Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
		}
		catch (NoSuchMethodException ex) {
			return null;
		}
	}

	/**
	 * Holds queued calls until {@link #release()}, then lets them run at most {@code concurrency}
	 * at a time. Closing stops whatever still runs.
	 */
	private static final class Gate implements AutoCloseable {

		private final ExecutorService executor;

		/** Bounds the virtual threads; null for the fixed pool, whose size is the bound. */
		private final Semaphore permits;

		/** Counts down as threads park at the gate: every worker of the pool, or every virtual thread. */
		private final CountDownLatch parked;

		private final CountDownLatch open = new CountDownLatch(1);

		/** Written once before {@code open} counts down; read by calls only after it has. */
		private long releasedAt;

		private Gate(ExecutorService executor, Semaphore permits, int parkers) {
			this.executor = executor;
			this.permits = permits;
			this.parked = new CountDownLatch(parkers);
		}

		static Gate open(int concurrency, int requests) {
			if (NEW_VIRTUAL_EXECUTOR != null) {
				try {
					return new Gate((ExecutorService) NEW_VIRTUAL_EXECUTOR.invoke(null), new Semaphore(concurrency),
							requests);
				}
				catch (ReflectiveOperationException ex) {
					throw new IllegalStateException("cannot create virtual threads", ex);
				}
			}
			AtomicInteger count = new AtomicInteger();
			ThreadPoolExecutor pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
					new LinkedBlockingQueue<>(), (task) -> new Thread(task, "herd-" + count.incrementAndGet()));
			Gate gate = new Gate(pool, null, concurrency);
			// park every worker at the gate, so that the calls queued next wait behind it
			for (int i = 0; i < concurrency; i++) {
				pool.execute(gate::park);
			}
			return gate;
		}

		void queue(Runnable call) {
			if (this.permits == null) {
				this.executor.execute(call);
				return;
			}
			this.executor.execute(() -> {
				park();
				this.permits.acquireUninterruptibly();
				try {
					call.run();
				}
				finally {
					this.permits.release();
				}
			});
		}

		/** Opens the gate once every thread waits at it; returns the instant the herd arrived. */
		long release() throws InterruptedException {
			this.parked.await();
			this.releasedAt = System.nanoTime();
			this.open.countDown();
			return this.releasedAt;
		}

		long releasedAt() {
			return this.releasedAt;
		}

		private void park() {
			this.parked.countDown();
			try {
				this.open.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		@Override
		public void close() {
			this.executor.shutdownNow();
			this.open.countDown();
		}

	}

}
