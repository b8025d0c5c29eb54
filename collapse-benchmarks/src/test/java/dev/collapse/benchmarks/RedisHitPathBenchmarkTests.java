package dev.collapse.benchmarks;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs each method of {@link RedisHitPathBenchmark} once, outside JMH, on a redis-server of its
 * own (a free port, never 6379): the states start, every variant answers from its cache, the
 * trial's miss check passes. Times nothing.
 */
class RedisHitPathBenchmarkTests {

	private final RedisHitPathBenchmark benchmark = new RedisHitPathBenchmark();

	private final RedisHitPathBenchmark.Redis redis = new RedisHitPathBenchmark.Redis();

	@BeforeEach
	void startRedis() {
		assumeTrue(onPath(RedisServerProcess.EXECUTABLE), "redis-server is not installed");
		this.redis.start();
	}

	@AfterEach
	void stopRedis() {
		if (this.redis.server != null) {
			this.redis.stop();
		}
	}

	@Test
	void collapsedWithRedisAnswersFromItsCache() {
		for (boolean nearCache : new boolean[] { true, false }) {
			RedisHitPathBenchmark.CollapsedRedisState state = new RedisHitPathBenchmark.CollapsedRedisState();
			state.nearCache = nearCache;
			state.start(this.redis);
			try {
				assertThat(this.benchmark.collapsedRedis(state, firstKey())).isEqualTo("product-1000");
			}
			finally {
				state.stop();
			}
			this.redis.server.close();
			this.redis.start();
		}
	}

	@Test
	void collapsedLocalAnswersFromItsCache() {
		RedisHitPathBenchmark.CollapsedLocalState state = new RedisHitPathBenchmark.CollapsedLocalState();
		state.start();
		try {
			assertThat(this.benchmark.collapsedLocal(state, firstKey())).isEqualTo("product-1000");
		}
		finally {
			state.stop();
		}
	}

	@Test
	void cacheableOnRedisAnswersFromItsCache() {
		RedisHitPathBenchmark.CacheableRedisState state = new RedisHitPathBenchmark.CacheableRedisState();
		state.start(this.redis);
		try {
			assertThat(this.benchmark.cacheableRedis(state, firstKey())).isEqualTo("product-1000");
		}
		finally {
			state.stop();
		}
	}

	@Test
	void redissonsLocalCachedMapAnswersFromItsCopies() {
		RedisHitPathBenchmark.RedissonState state = new RedisHitPathBenchmark.RedissonState();
		state.start(this.redis);
		try {
			assertThat(this.benchmark.redissonLocalCached(state, firstKey())).isEqualTo("product-1000");
		}
		finally {
			state.stop();
		}
	}

	/** A cursor at the first key, where a new one would be anywhere. */
	private static RedisHitPathBenchmark.Cursor firstKey() {
		RedisHitPathBenchmark.Cursor cursor = new RedisHitPathBenchmark.Cursor();
		cursor.rewind();
		return cursor;
	}

	private static boolean onPath(String program) {
		if (program.contains(File.separator)) {
			return Files.isExecutable(Path.of(program));
		}
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, program))) {
				return true;
			}
		}
		return false;
	}

}
