package dev.collapse.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the miss-path benchmark's method outside JMH: every call loads, and leaves no flight behind. Times nothing. */
class MissPathBenchmarkTests {

	@Test
	void everyCallLeadsAndReturnsItsKeyAndNoFlightIsLeft() throws Throwable {
		MissPathBenchmark benchmark = new MissPathBenchmark();
		MissPathBenchmark.Registry state = new MissPathBenchmark.Registry();
		state.start();
		try {
			for (int i = 0; i < 1_000; i++) {
				assertThat(benchmark.miss(state)).isInstanceOf(Long.class);
			}
			assertThat(state.instance.inflight()).isZero();
			assertThat(state.instance.storedEntries()).as("ttl 0 stores nothing").isZero();
		}
		finally {
			state.stop();
		}
	}

}
