package dev.collapse.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the many-keys benchmark's workload and runs each variant once, outside JMH: the reads are
 * Zipf-shaped, and every variant answers from its store. Times nothing.
 */
class ManyKeysBenchmarkTests {

	private final ManyKeysBenchmark benchmark = new ManyKeysBenchmark();

	@Test
	void theMostPopularKeyIsReadAboutOnceInTwelveAsZipfWithSOneSays() {
		int keys = 100_000;
		int[] sequence = ManyKeysBenchmark.zipfSequence(keys, 1.0, 1 << 20, 7);
		int[] counts = new int[keys];
		for (int key : sequence) {
			counts[key]++;
		}
		int top = 0;
		int distinct = 0;
		for (int count : counts) {
			top = Math.max(top, count);
			distinct += (count > 0) ? 1 : 0;
		}
		// P(rank 1) = 1 / H(100,000) = 1 / 12.09
		assertThat(top / (double) sequence.length).isBetween(0.075, 0.09);
		// a long tail: most keys are read at least once in a million draws
		assertThat(distinct).isGreaterThan(keys / 2);
	}

	@Test
	void collapsedAndCacheableAnswerEveryReadFromTheirStores() {
		ManyKeysBenchmark.Cursor cursor = new ManyKeysBenchmark.Cursor();
		cursor.start();
		ManyKeysBenchmark.CollapsedState collapsed = new ManyKeysBenchmark.CollapsedState();
		collapsed.start();
		try {
			for (int i = 0; i < 1_000; i++) {
				assertThat(this.benchmark.collapsed(collapsed, cursor)).startsWith("product-");
			}
		}
		finally {
			collapsed.stop();
		}
		ManyKeysBenchmark.CacheableState cacheable = new ManyKeysBenchmark.CacheableState();
		cacheable.start();
		try {
			for (int i = 0; i < 1_000; i++) {
				assertThat(this.benchmark.cacheable(cacheable, cursor)).startsWith("product-");
			}
		}
		finally {
			cacheable.stop();
		}
	}

}
