package dev.collapse.benchmarks.herd;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * A smoke run of the local herd with tiny sizes: proves that every row starts, that the herd is
 * released and answered, that the loads are counted and that the CSV and the chart are written.
 * Times nothing: the numbers of a run this small mean nothing.
 */
class LocalHerdHarnessTests {

	@Test
	void aTinyHerdLoadsOnceBehindEveryCacheAndOncePerCallerWithout(@TempDir Path out) throws Exception {
		LocalHerd herd = new LocalHerd(50, 10, new Callers(true, 50), 2, Duration.ofSeconds(20), 2);

		List<HerdResult> results = herd.runAll(out, "smoke");

		assertThat(results).extracting(HerdResult::row)
			.containsExactly("none", "floor: one future", "@Cacheable(sync)", "Caffeine AsyncCache", "@Collapsed",
					"Collapser.collapse");
		assertThat(results).allSatisfy((result) -> {
			assertThat(result.warmUps()).isEqualTo(2);
			assertThat(result.callers()).isEqualTo(50);
			assertThat(result.errors()).isZero();
			assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p99Millis());
			assertThat(result.p99Millis()).isLessThanOrEqualTo(result.maxMillis());
		});
		assertThat(results).extracting(HerdResult::loads).containsExactly(50, 1, 1, 1, 1, 1);
		// the leader at least began before its own load ended; without a cache nobody joins a load
		assertThat(results).extracting(HerdResult::joined).first().isEqualTo(-1);
		assertThat(results.subList(1, 6)).allSatisfy((result) -> {
			assertThat(result.joined()).isBetween(1, 50);
			assertThat(result.wakeP99Millis()).isGreaterThanOrEqualTo(result.wakeP50Millis());
		});
		assertThat(Files.readAllLines(out.resolve("smoke.csv"))).hasSize(7).first().isEqualTo(HerdResult.CSV_HEADER);
		BufferedImage chart = ImageIO.read(out.resolve("smoke.png").toFile());
		assertThat(chart).isNotNull();
		assertThat(chart.getWidth()).isGreaterThan(600);
	}

	@Test
	void aWarmUpRunsItsCountOfHerdsButNoNewOneOnceItsTimeIsSpent() throws Exception {
		List<Integer> ran = new ArrayList<>();
		assertThat(Harness.warmUp(5, Duration.ofSeconds(20), ran::add)).isEqualTo(5);
		assertThat(ran).containsExactly(0, 1, 2, 3, 4);

		assertThat(Harness.warmUp(1_000_000, Duration.ZERO, (i) -> fail("no time, no herd"))).isZero();

		// the first herd outlasts the budget: time itself is the subject, so this one waits it out
		CountDownLatch never = new CountDownLatch(1);
		assertThat(Harness.warmUp(3, Duration.ofMillis(100), (i) -> never.await(200, TimeUnit.MILLISECONDS)))
			.isEqualTo(1);
	}

	@Test
	void rowsAreChosenByNameInTableOrderAndAnUnknownNameIsRefused() {
		assertThat(Harness.rows(HerdRow.Kind.class, null)).containsExactly(HerdRow.Kind.values());
		assertThat(Harness.rows(HerdRow.Kind.class, "collapsed,floor")).containsExactly(HerdRow.Kind.FLOOR,
				HerdRow.Kind.COLLAPSED);
		assertThat(Harness.rows(FleetHerd.Row.class, "collapsed_redis")).containsExactly(FleetHerd.Row.COLLAPSED_REDIS);
		assertThatThrownBy(() -> Harness.rows(HerdRow.Kind.class, "floor,redis"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("--rows takes none, floor,")
			.hasMessageContaining("got floor,redis");
	}

	@Test
	void percentileIsTheNearestRank() {
		long[] sorted = new long[100];
		for (int i = 0; i < sorted.length; i++) {
			sorted[i] = i + 1;
		}
		assertThat(LocalHerd.percentile(sorted, 50)).isEqualTo(50);
		assertThat(LocalHerd.percentile(sorted, 99)).isEqualTo(99);
		assertThat(LocalHerd.percentile(new long[] { 7 }, 99)).isEqualTo(7);
	}

}
