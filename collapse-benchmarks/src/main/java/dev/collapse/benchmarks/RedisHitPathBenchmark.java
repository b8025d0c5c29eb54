package dev.collapse.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The warm hit path with Redis on (issue 15), beside the local hit, in one run.
 * <ul>
 * <li>{@code collapsedRedis}: a {@code @Collapsed} method with {@code collapse.redis.enabled=true}.
 * It measures whatever a hit of a distributed instance does: a Redis {@code GET} and a JSON read
 * without a near cache, a local read with one;</li>
 * <li>{@code collapsedLocal}: the same method with Redis off, a hit of the local store;</li>
 * <li>{@code cacheableRedis}: the same method under {@code @Cacheable} on Spring's
 * {@code RedisCacheManager}, a Redis {@code GET} per hit;</li>
 * <li>{@code redissonLocalCached}: the peer near cache, Redisson's {@code RLocalCachedMap} (its
 * defaults: invalidate on change, a local copy per key), read with {@code get}: a map lookup, no
 * method, proxy or loader around it.</li>
 * </ul>
 * The Redis variants run on a {@code redis-server} the trial starts on a free port. Each thread
 * reads the warm keys round robin from its own random start, and a trial that saw one load after
 * the warm-up fails, so a miss never passes for a hit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(4)
public class RedisHitPathBenchmark {

	/** Warm keys, read round robin; a power of two, read with a mask. */
	static final int KEYS = 1024;

	@Benchmark
	public String collapsedRedis(CollapsedRedisState state, Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String collapsedLocal(CollapsedLocalState state, Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String cacheableRedis(CacheableRedisState state, Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String redissonLocalCached(RedissonState state, Cursor cursor) {
		return state.map.get(cursor.next());
	}

	static Long[] ids() {
		return Arrays.copyOf(HitPathBenchmark.IDS, KEYS);
	}

	/** A {@code redis-server} of the trial's own, never the one on 6379. */
	@State(Scope.Benchmark)
	public static class Redis {

		RedisServerProcess server;

		@Setup(Level.Trial)
		public void start() {
			this.server = RedisServerProcess.start();
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.server.close();
		}

		String[] properties(String... more) {
			List<String> all = new ArrayList<>(this.server.springProperties());
			all.addAll(List.of(more));
			return all.toArray(String[]::new);
		}

	}

	/** Each thread's walk over the keys, from its own random start so threads do not move in step. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next = ThreadLocalRandom.current().nextInt(KEYS);

		Long next() {
			return HitPathBenchmark.IDS[this.next++ & (KEYS - 1)];
		}

		/** Back to the first key; for tests that expect a known key. */
		void rewind() {
			this.next = 0;
		}

	}

	@State(Scope.Benchmark)
	public static class CollapsedRedisState extends WarmCatalogState {

		/**
		 * {@code collapse.redis.near-cache.enabled}, the switch of issue 15. Until the near cache
		 * lands the property does not exist, Spring Boot ignores it, and both values measure the same
		 * read-through hit.
		 */
		@Param({ "true", "false" })
		public boolean nearCache;

		@Setup(Level.Trial)
		public void start(Redis redis) {
			start(Applications.CollapsedRedisApplication.class, ids(), redis.properties("collapse.redis.enabled=true",
					"collapse.redis.key-prefix=bench:", "collapse.redis.near-cache.enabled=" + this.nearCache));
		}

	}

	@State(Scope.Benchmark)
	public static class CollapsedLocalState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start() {
			start(Applications.CollapsedApplication.class, ids());
		}

	}

	@State(Scope.Benchmark)
	public static class CacheableRedisState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start(Redis redis) {
			start(Applications.CacheableRedisApplication.class, ids(), redis.properties());
		}

	}

	/** Redisson's near cache, filled with the warm keys and read once each so every copy is local. */
	@State(Scope.Benchmark)
	public static class RedissonState {

		RedissonClient client;

		RLocalCachedMap<Long, String> map;

		@Setup(Level.Trial)
		public void start(Redis redis) {
			Config config = new Config();
			config.useSingleServer().setAddress("redis://127.0.0.1:" + redis.server.port());
			this.client = Redisson.create(config);
			this.map = this.client.getLocalCachedMap(LocalCachedMapOptions
				.<Long, String>name("bench-redisson")
				.codec(StringCodec.INSTANCE));
			for (Long id : ids()) {
				this.map.fastPut(id, "product-" + id);
			}
			for (Long id : ids()) {
				if (!("product-" + id).equals(this.map.get(id))) {
					throw new IllegalStateException("Redisson's map lost key " + id);
				}
			}
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.client.shutdown();
		}

	}

}
