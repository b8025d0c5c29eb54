package dev.collapse.sample.demo;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HerdTest {

	@Test
	void percentileIsNearestRank() {
		long[] sorted = new long[100];
		for (int i = 0; i < sorted.length; i++) {
			sorted[i] = i + 1;
		}
		assertThat(Herd.percentile(sorted, 50)).isEqualTo(50);
		assertThat(Herd.percentile(sorted, 99)).isEqualTo(99);
		assertThat(Herd.percentile(new long[] { 7 }, 99)).isEqualTo(7);
	}

	@Test
	void countsEveryCallAndReportsErrorsByType() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		AtomicLong upstream = new AtomicLong();
		HerdRun run = new Herd(4).fire("test", 40, () -> {
			upstream.incrementAndGet();
			if (calls.incrementAndGet() % 4 == 0) {
				throw new IllegalStateException("boom");
			}
			return null;
		}, upstream::get);
		assertThat(calls).hasValue(40);
		assertThat(run.upstreamCalls()).isEqualTo(40);
		assertThat(run.errors()).isEqualTo(10);
		assertThat(run.errorTypes()).containsEntry("IllegalStateException", 10L).hasSize(1);
	}

	@Test
	void neverRunsMoreCallsAtOnceThanItsConcurrency() throws Exception {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger most = new AtomicInteger();
		CountDownLatch threeRunning = new CountDownLatch(3);
		HerdRun run = new Herd(3).fire("test", 30, () -> {
			most.accumulateAndGet(running.incrementAndGet(), Math::max);
			threeRunning.countDown();
			// hold the first calls until the bound is reached, so a missing bound would show
			if (!threeRunning.await(5, TimeUnit.SECONDS)) {
				throw new IllegalStateException("fewer than three calls ran at once");
			}
			running.decrementAndGet();
			return null;
		}, () -> 0);
		assertThat(run.errors()).isZero();
		assertThat(most).hasValue(3);
	}

}
