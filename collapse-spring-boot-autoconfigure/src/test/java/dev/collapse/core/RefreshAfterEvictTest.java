package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;
import dev.collapse.core.RefreshFixtures.RecordingExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Regression: an early refresh queued before an eviction ran after it with the evicted entry as
 * its stale-if-error fallback: when its load failed, a caller that came after {@code evict()}
 * returned got the evicted value.
 */
class RefreshAfterEvictTest {

	private final ManualTicker ticker = new ManualTicker();

	private CollapseRegistry registry;

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void aRefreshQueuedBeforeAnEvictionNeverServesTheEvictedEntry() throws Throwable {
		RecordingExecutor refreshes = new RecordingExecutor();
		this.registry = RefreshFixtures.registry(this.ticker, new Counts(), refreshes);
		CollapseInstance instance = this.registry.register("r",
				RefreshFixtures.settings(Duration.ofSeconds(2), 1e9, RetrySettings.NONE, Duration.ofMinutes(1)));
		assertThat(instance.call("k", () -> {
			this.ticker.advanceNanos(Duration.ofMillis(200).toNanos());
			return "old";
		})).isEqualTo("old");
		CountDownLatch refreshStarted = new CountDownLatch(1);
		CountDownLatch refreshMayFail = new CountDownLatch(1);
		this.ticker.advance(Duration.ofMillis(100));
		// a hit rolls the refresh, queued with its loader
		assertThat(instance.call("k", () -> {
			refreshStarted.countDown();
			Herd.hold(refreshMayFail);
			throw new IllegalStateException("db blip");
		})).isEqualTo("old");
		assertThat(refreshes.submitted()).isEqualTo(1);
		// the application writes the row, then evicts
		instance.evict("k");
		try (Herd herd = new Herd(2)) {
			herd.add(() -> refreshes.runAll());
			herd.release();
			Herd.hold(refreshStarted);
			Future<Object> after = herd.add(() -> instance.call("k", () -> "new"));
			Herd.awaitFollowers(instance, "k", 1);
			refreshMayFail.countDown();
			// it joined the refresh, a load that began after the eviction: it gets that load's
			// failure, never the evicted value as stale-if-error
			assertThatThrownBy(() -> Herd.result(after)).as("a caller that came after evict() returned")
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("db blip");
		}
	}

}
