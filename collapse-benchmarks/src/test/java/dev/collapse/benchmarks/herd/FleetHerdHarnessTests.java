package dev.collapse.benchmarks.herd;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A smoke run of the fleet herd with tiny sizes on a redis-server of its own (a free port, never
 * 6379): every row starts, the herd is answered, loads and Redis commands are counted, the CSV and
 * the chart are written. Times nothing.
 */
class FleetHerdHarnessTests {

	@Test
	void aTinyFleetHerdLoadsOnceBehindCollapseAndTheLockingWriter(@TempDir Path out) throws Exception {
		assumeTrue(onPath("redis-server"), "redis-server is not installed");
		FleetHerd herd = new FleetHerd(2, 10, 10, new Callers(true, Integer.MAX_VALUE), 2, Duration.ofSeconds(20), 2);

		List<FleetHerd.FleetResult> results = herd.runAll(out, "smoke", "redis-server");

		assertThat(results).extracting(FleetHerd.FleetResult::row)
			.containsExactly("none", "floor: one future per instance", "@Cacheable(sync) RedisCacheManager", "@Cacheable(sync) locking writer",
					"@Collapsed redis.enabled");
		assertThat(results).allSatisfy((result) -> {
			assertThat(result.warmUps()).isEqualTo(2);
			assertThat(result.callers()).isEqualTo(20);
			assertThat(result.errors()).isZero();
		});
		assertThat(results.get(0).loads()).isEqualTo(20);
		assertThat(results.get(0).commandsPerInstance()).isZero();
		assertThat(results.get(1).loads()).isEqualTo(1);
		assertThat(results.get(1).commandsPerInstance()).isZero();
		assertThat(results.get(3).loads()).isEqualTo(1);
		assertThat(results.get(4).loads()).isEqualTo(1);
		assertThat(results.get(4).commandsPerInstance()).isPositive();
		assertThat(Files.readAllLines(out.resolve("smoke.csv"))).hasSize(6).first().isEqualTo(FleetHerd.FleetResult.CSV_HEADER);
		assertThat(out.resolve("smoke.png")).isNotEmptyFile();
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
