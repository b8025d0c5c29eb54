package dev.collapse.sample.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.collapse.core.Collapser;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.CollapseRegistry;

/**
 * The storm after an outage: callers keep asking an authorization server for a token, and retry
 * at once when it fails. The server goes down for a while, then comes back. Three runs: each
 * caller asks the server itself (collapsing off); through {@code @Collapsed}-style collapsing with
 * a short ttl (on: one request at a time, but a new one the moment each fails); and with
 * {@code failure-ttl} as well (one request per failure window while the server is down). The
 * server's requests are counted per time bucket, so that the page can plot them.
 */
@Component
public class OutageDemo {

	/** Collapsed, ttl only: see {@code collapse.instances.outage-auth} in application.yml. */
	static final String COLLAPSED = "outage-auth";

	/** Collapsed, with failure-ttl: {@code collapse.instances.outage-auth-failure-ttl}. */
	static final String FAILURE_TTL = "outage-auth-failure-ttl";

	static final Duration BUCKET = Duration.ofMillis(100);

	/** The server's answer time when it is up, and its refusal time when it is down. */
	static final Duration ANSWER = Duration.ofMillis(20);

	static final Duration REFUSAL = Duration.ofMillis(5);

	/** A caller's pause after it got a token, and after a failure before it retries. */
	static final Duration NEXT_REQUEST = Duration.ofMillis(100);

	static final Duration RETRY = Duration.ofMillis(10);

	private final Collapser collapser;

	/** Absent with {@code collapse.enabled=false}: the runs then show ttl and failure-ttl 0. */
	private final ObjectProvider<CollapseRegistry> registry;

	private final ReentrantLock running = new ReentrantLock();

	private long finished;

	private final AtomicReference<OutageReport> latest = new AtomicReference<>();

	OutageDemo(Collapser collapser, ObjectProvider<CollapseRegistry> registry) {
		this.collapser = collapser;
		this.registry = registry;
		// created now, as the annotated methods' instances are, so that the endpoint lists them from the start
		registry.ifAvailable((collapse) -> {
			collapse.instance(COLLAPSED);
			collapse.instance(FAILURE_TTL);
		});
	}

	/** The last report, if a demo ran. */
	public Optional<OutageReport> latest() {
		return Optional.ofNullable(this.latest.get());
	}

	/**
	 * Runs the three runs, one after the other, each {@code duration} long with the server down
	 * from 20% to 70% of it.
	 * @throws HerdDemo.DemoBusyException if an outage demo runs already
	 */
	public OutageReport run(int callers, Duration duration) throws InterruptedException {
		if (!this.running.tryLock()) {
			throw new HerdDemo.DemoBusyException();
		}
		try {
			long durationMs = duration.toMillis();
			long from = durationMs / 5;
			long to = durationMs * 7 / 10;
			List<OutageReport.Run> runs = new ArrayList<>();
			runs.add(run("off", "collapsing off", null, callers, durationMs, from, to));
			runs.add(run("on", "collapsing on", COLLAPSED, callers, durationMs, from, to));
			runs.add(run("failure-ttl", "collapsing on + failure-ttl", FAILURE_TTL, callers, durationMs, from, to));
			OutageReport report = new OutageReport(++this.finished, Instant.now(), callers, durationMs,
					BUCKET.toMillis(), from, to, List.copyOf(runs));
			this.latest.set(report);
			return report;
		}
		finally {
			this.running.unlock();
		}
	}

	private OutageReport.Run run(String mode, String label, String instance, int callers, long durationMs,
			long outageFromMs, long outageToMs) throws InterruptedException {
		if (instance != null) {
			// a clean start: no token or failure left from an earlier run
			this.collapser.evictAll(instance);
		}
		CollapseRegistry collapse = this.registry.getIfAvailable();
		CollapseSettings settings = (instance != null && collapse != null) ? collapse.instance(instance).settings() : null;
		int buckets = (int) ((durationMs + BUCKET.toMillis() - 1) / BUCKET.toMillis());
		AuthServer server = new AuthServer(buckets, outageFromMs, outageToMs);
		Supplier<String> call = (instance == null) ? server::token
				: () -> this.collapser.collapse(instance, "token", String.class, server::token);
		AtomicLong successes = new AtomicLong();
		AtomicLong failures = new AtomicLong();
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			for (int i = 0; i < callers; i++) {
				pool.execute(() -> {
					try {
						start.await();
						// callers that arrived at different moments, not in lockstep
						Thread.sleep(ThreadLocalRandom.current().nextLong(NEXT_REQUEST.toMillis()));
						long end = server.start + TimeUnit.MILLISECONDS.toNanos(durationMs);
						while (System.nanoTime() - end < 0) {
							try {
								call.get();
								successes.incrementAndGet();
								Thread.sleep(NEXT_REQUEST.toMillis());
							}
							catch (RuntimeException ex) {
								failures.incrementAndGet();
								Thread.sleep(RETRY.toMillis());
							}
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				});
			}
			server.start = System.nanoTime();
			start.countDown();
			pool.shutdown();
			if (!pool.awaitTermination(durationMs + 30_000, TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("outage demo callers did not stop");
			}
		}
		finally {
			pool.shutdownNow();
		}
		int[] counts = new int[buckets];
		long total = 0;
		long outage = 0;
		for (int i = 0; i < buckets; i++) {
			counts[i] = server.requests.get(i);
			total += counts[i];
			long bucketStart = i * BUCKET.toMillis();
			if (bucketStart >= outageFromMs && bucketStart < outageToMs) {
				outage += counts[i];
			}
		}
		return new OutageReport.Run(mode, label, (settings != null) ? settings.ttl().toMillis() : 0,
				(settings != null) ? settings.failureTtl().toMillis() : 0, counts, total, outage, successes.get(),
				failures.get());
	}

	/**
	 * A simulated authorization server that is down from {@code downFromMs} to {@code downToMs}
	 * after {@link #start}: it then refuses every request quickly, as a server behind a load
	 * balancer with no healthy instance does.
	 */
	static final class AuthServer {

		final AtomicIntegerArray requests;

		private final long downFromMs;

		private final long downToMs;

		/** Written before the callers are released, read by them after. */
		volatile long start = System.nanoTime();

		AuthServer(int buckets, long downFromMs, long downToMs) {
			this.requests = new AtomicIntegerArray(buckets);
			this.downFromMs = downFromMs;
			this.downToMs = downToMs;
		}

		String token() {
			long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.start);
			int bucket = (int) (elapsedMs / BUCKET.toMillis());
			if (bucket < this.requests.length()) {
				this.requests.incrementAndGet(bucket);
			}
			boolean down = elapsedMs >= this.downFromMs && elapsedMs < this.downToMs;
			pause(down ? REFUSAL : ANSWER);
			if (down) {
				throw new IllegalStateException("authorization server unavailable (503)");
			}
			return "token";
		}

		private static void pause(Duration duration) {
			try {
				Thread.sleep(duration.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted", ex);
			}
		}

	}

}
