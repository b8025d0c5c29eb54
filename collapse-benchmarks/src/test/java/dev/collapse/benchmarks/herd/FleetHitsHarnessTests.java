package dev.collapse.benchmarks.herd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A smoke run of the fleet hits with tiny sizes on a redis-server of its own (a free port, never
 * 6379): every row starts and serves warm hits without a load, and Redis commands are counted where
 * they are sent. Times nothing.
 */
class FleetHitsHarnessTests {

	@Test
	void warmHitsOfEveryRowAreCountedWithTheRedisCommandsTheyCost(@TempDir Path out) throws Exception {
		assumeTrue(onPath("redis-server"), "redis-server is not installed");
		FleetHits hits = new FleetHits(2, 1, 5, 1);

		List<FleetHits.HitsResult> results = hits.runAll(out, "smoke", "redis-server");

		assertThat(results).extracting(FleetHits.HitsResult::row)
			.containsExactly("@Collapsed redis, near cache", "@Collapsed redis, near-cache off",
					"@Collapsed local (redis off)", "@Cacheable RedisCacheManager", "Redisson RLocalCachedMap");
		assertThat(results).allSatisfy((result) -> {
			assertThat(result.calls()).isPositive();
			assertThat(result.loads()).isZero();
		});
		// a warm hit read through to Redis costs one GET; a near hit and a local hit cost none
		assertThat(results.get(1).commandsPerCall()).isGreaterThan(0.9);
		assertThat(results.get(3).commandsPerCall()).isGreaterThan(0.9);
		assertThat(results.get(0).commandsPerCall()).isLessThan(0.01);
		assertThat(results.get(2).commandsPerCall()).isLessThan(0.01);
		assertThat(results.get(4).commandsPerCall()).isLessThan(0.01);
		assertThat(Files.readAllLines(out.resolve("smoke.csv"))).hasSize(6).first().isEqualTo(FleetHits.HitsResult.CSV_HEADER);
	}

	private static boolean onPath(String program) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, program))) {
				return true;
			}
		}
		return false;
	}

}
