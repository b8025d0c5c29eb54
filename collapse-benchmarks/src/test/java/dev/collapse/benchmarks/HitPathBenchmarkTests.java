package dev.collapse.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Runs each benchmark method once, outside JMH, to prove that the states start, that every
 * variant answers from its cache, and that the trial's miss check passes. Times nothing.
 */
class HitPathBenchmarkTests {

	private final HitPathBenchmark benchmark = new HitPathBenchmark();

	private final HitPathBenchmark.Workload workload = workload(1024);

	@Test
	void collapsedAnswersFromItsCache() {
		HitPathBenchmark.CollapsedState state = new HitPathBenchmark.CollapsedState();
		state.start(this.workload);
		try {
			assertThat(this.benchmark.collapsed(state, firstKey())).isEqualTo("product-1000");
			assertThat(state.catalog.loads()).isEqualTo(this.workload.keys);
		}
		finally {
			state.stop();
		}
	}

	@Test
	void cacheableAnswersFromItsCache() {
		HitPathBenchmark.CacheableState state = new HitPathBenchmark.CacheableState();
		state.start(this.workload);
		try {
			assertThat(this.benchmark.cacheable(state, firstKey())).isEqualTo("product-1000");
			assertThat(state.catalog.loads()).isEqualTo(this.workload.keys);
		}
		finally {
			state.stop();
		}
	}

	@Test
	void caffeineDirectFindsEveryKey() {
		HitPathBenchmark.CaffeineState state = new HitPathBenchmark.CaffeineState();
		state.fill(this.workload);
		HitPathBenchmark.Cursor cursor = firstKey();
		for (int i = 0; i < this.workload.keys; i++) {
			assertThat(this.benchmark.caffeineDirect(state, cursor)).isNotNull();
		}
	}

	@Test
	void aMissFailsTheTrial() {
		HitPathBenchmark.CollapsedState state = new HitPathBenchmark.CollapsedState();
		state.start(this.workload);
		state.catalog.find(-1L);
		// stop() closes the context even when it throws
		assertThatIllegalStateException().isThrownBy(state::stop).withMessageContaining("some calls missed");
	}

	/** A cursor at the first key, where a started one would be anywhere. */
	private HitPathBenchmark.Cursor firstKey() {
		HitPathBenchmark.Cursor cursor = new HitPathBenchmark.Cursor();
		cursor.start(this.workload);
		cursor.rewind();
		return cursor;
	}

	private static HitPathBenchmark.Workload workload(int keys) {
		HitPathBenchmark.Workload workload = new HitPathBenchmark.Workload();
		workload.keys = keys;
		return workload;
	}

}
