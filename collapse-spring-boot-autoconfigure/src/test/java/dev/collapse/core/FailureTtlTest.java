package dev.collapse.core;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.autoconfigure.CollapseProperties;
import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The storm after an outage (issue 16): with {@code failure-ttl}, a failed load's exception is
 * served to the callers of its key for a window, so that a down upstream sees one load per window
 * instead of one per caller; evictions clear it and stale-if-error comes first.
 */
class FailureTtlTest {

	private static final Duration WINDOW = Duration.ofSeconds(2);

	private static final int CALLERS = 50;

	private final ManualTicker ticker = new ManualTicker();

	private final Counts counts = new Counts();

	private final AtomicInteger upstreamRequests = new AtomicInteger();

	private CollapseRegistry registry;

	@AfterEach
	void close() {
		if (this.registry != null) {
			this.registry.close();
		}
	}

	private CollapseInstance instance(Duration ttl, Duration staleIfError, RetrySettings retry, Duration failureTtl) {
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, Runnable::run);
		return this.registry.register("auth", new CollapseSettings(ttl, Jitter.NONE, Duration.ofSeconds(30), true, 0,
				retry, staleIfError, CollapseSettings.DEFAULT_LOAD_TIMEOUT, failureTtl));
	}

	private CollapseInstance instance(Duration failureTtl) {
		return instance(Duration.ofMinutes(5), Duration.ZERO, RetrySettings.NONE, failureTtl);
	}

	/** The upstream while it is down: every request it sees fails. */
	private Object down() throws IOException {
		this.upstreamRequests.incrementAndGet();
		throw new IOException("auth is down");
	}

	private Object up() {
		this.upstreamRequests.incrementAndGet();
		return "token";
	}

	@Test
	void offByDefault() {
		assertThat(new CollapseProperties().getDefaults().getFailureTtl()).isZero();
	}

	@Test
	void callersReleasedTogetherWithinTheWindowGetTheCachedFailureAndTheUpstreamSeesNoNewRequest() throws Throwable {
		CollapseInstance instance = instance(WINDOW);
		Throwable first = RefreshFixtures.outcome(instance, "k", this::down) instanceof Throwable t ? t : null;
		assertThat(first).isInstanceOf(IOException.class);
		this.ticker.advance(WINDOW.minusNanos(1));
		List<Future<Object>> results = new ArrayList<>();
		try (Herd herd = new Herd(CALLERS)) {
			for (int i = 0; i < CALLERS; i++) {
				results.add(herd.add(() -> RefreshFixtures.outcome(instance, "k", this::down)));
			}
			herd.release();
			for (Future<Object> result : results) {
				// the same exception, as the followers of the failed load got it
				assertThat(Herd.result(result)).isSameAs(first);
			}
		}
		assertThat(this.upstreamRequests).hasValue(1);
		assertThat(this.counts.loads()).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.FAILURE)).isEqualTo(CALLERS);
	}

	@Test
	void afterTheWindowOneNewLoadServesEveryCaller() throws Throwable {
		CollapseInstance instance = instance(WINDOW);
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		this.ticker.advance(WINDOW);
		CountDownLatch everyoneWaits = new CountDownLatch(1);
		List<Future<Object>> results = new ArrayList<>();
		try (Herd herd = new Herd(CALLERS)) {
			for (int i = 0; i < CALLERS; i++) {
				results.add(herd.add(() -> instance.call("k", () -> {
					Herd.awaitFollowers(instance, "k", CALLERS - 1);
					everyoneWaits.countDown();
					return up();
				})));
			}
			herd.release();
			for (Future<Object> result : results) {
				assertThat(Herd.result(result)).isEqualTo("token");
			}
		}
		assertThat(everyoneWaits.getCount()).isZero();
		assertThat(this.upstreamRequests).hasValue(2);
		assertThat(this.counts.calls(CallResult.FAILURE)).isZero();
	}

	@Test
	void withFailureTtlZeroEveryCallAfterAFailureLoadsAgain() {
		CollapseInstance instance = instance(Duration.ZERO);
		for (int i = 0; i < 5; i++) {
			assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		}
		assertThat(this.upstreamRequests).hasValue(5);
		assertThat(this.counts.calls(CallResult.FAILURE)).isZero();
	}

	@Test
	void worksWhenResultsAreNotStoredAtAll() {
		CollapseInstance instance = instance(Duration.ZERO, Duration.ZERO, RetrySettings.NONE, WINDOW);
		for (int i = 0; i < 5; i++) {
			assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		}
		assertThat(this.upstreamRequests).hasValue(1);
		this.ticker.advance(WINDOW);
		assertThat(RefreshFixtures.outcome(instance, "k", this::up)).isEqualTo("token");
		assertThat(this.upstreamRequests).hasValue(2);
	}

	@Test
	void asynchronousCallersGetTheCachedFailureToo() {
		CollapseInstance instance = instance(WINDOW);
		CompletableFuture<Object> failed = instance.callAsync("k",
				() -> CompletableFuture.failedFuture(new IOException("auth is down")));
		assertThat(failed).isCompletedExceptionally();
		AtomicInteger loads = new AtomicInteger();
		for (int i = 0; i < 10; i++) {
			CompletableFuture<Object> served = instance.callAsync("k", () -> {
				loads.incrementAndGet();
				return CompletableFuture.completedFuture("token");
			});
			assertThat(served).failsWithin(Duration.ZERO)
				.withThrowableOfType(java.util.concurrent.ExecutionException.class)
				.havingCause()
				.isInstanceOf(IOException.class);
		}
		assertThat(loads).hasValue(0);
		assertThat(this.counts.calls(CallResult.FAILURE)).isEqualTo(10);
	}

	@Test
	void anEvictionClearsTheCachedFailure() throws Throwable {
		CollapseInstance instance = instance(Duration.ofMinutes(10));
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		assertThat(instance.evict("k")).isTrue();
		assertThat(instance.call("k", this::up)).isEqualTo("token");
		assertThatThrownBy(() -> instance.call("j", this::down)).isInstanceOf(IOException.class);
		instance.evictAll();
		assertThat(instance.call("j", this::up)).isEqualTo("token");
		assertThat(this.upstreamRequests).hasValue(4);
	}

	@Test
	void staleIfErrorComesFirstAndCachesNoFailureWhileItServes() throws Throwable {
		Duration ttl = Duration.ofSeconds(1);
		CollapseInstance instance = instance(ttl, Duration.ofSeconds(10), RetrySettings.NONE, WINDOW);
		assertThat(instance.call("k", this::up)).isEqualTo("token");
		this.ticker.advance(ttl);
		assertThat(instance.call("k", this::down)).isEqualTo("token");
		assertThat(instance.call("k", this::down)).isEqualTo("token");
		assertThat(this.counts.calls(CallResult.STALE)).isEqualTo(2);
		assertThat(this.upstreamRequests).hasValue(3);
		// past stale-if-error, the failure is served and cached
		this.ticker.advance(Duration.ofSeconds(10));
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		assertThat(this.upstreamRequests).hasValue(4);
		assertThat(this.counts.calls(CallResult.FAILURE)).isEqualTo(1);
	}

	@Test
	void retriesRunInsideTheOneLoadBeforeTheFailureIsCached() {
		RetrySettings retry = new RetrySettings(3, Duration.ZERO, Duration.ZERO, List.of(), List.of());
		CollapseInstance instance = instance(Duration.ofMinutes(5), Duration.ZERO, retry, WINDOW);
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		assertThat(this.upstreamRequests).hasValue(3);
		assertThatThrownBy(() -> instance.call("k", this::down)).isInstanceOf(IOException.class);
		assertThat(this.upstreamRequests).hasValue(3);
		assertThat(this.counts.retries.get()).isEqualTo(2);
	}

	@Test
	void theWindowIsJitteredByAShareOfItOrAtMostAsMuchAgain() {
		CollapseSettings share = new CollapseSettings(Duration.ZERO, Jitter.percent(10), Duration.ofSeconds(1), true, 0,
				RetrySettings.NONE, Duration.ZERO, CollapseSettings.DEFAULT_LOAD_TIMEOUT, WINDOW);
		CollapseSettings fixed = new CollapseSettings(Duration.ZERO, Jitter.of(Duration.ofSeconds(30)),
				Duration.ofSeconds(1), true, 0, RetrySettings.NONE, Duration.ZERO, CollapseSettings.DEFAULT_LOAD_TIMEOUT,
				WINDOW);
		long base = WINDOW.toNanos();
		long[] buckets = new long[10];
		for (int i = 0; i < 10_000; i++) {
			long shared = share.failureWindowNanos();
			assertThat(shared).isBetween(base, base + base / 10);
			long capped = fixed.failureWindowNanos();
			assertThat(capped).isBetween(base, 2 * base);
			buckets[(int) Math.min(9, (capped - base) * 10 / (base + 1))]++;
		}
		// spread across the whole window, not piled at the cap
		assertThat(java.util.Arrays.stream(buckets)).allMatch((count) -> count > 700 && count < 1300);
	}

}
