package dev.collapse.benchmarks;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.context.ConfigurableApplicationContext;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The hit path: the cost of a call whose result is already cached, measured three ways in one run.
 * <ul>
 * <li>{@code collapsed}: a {@code @Collapsed} method called through its Spring proxy;</li>
 * <li>{@code cacheable}: the same method under Spring's {@code @Cacheable} over Caffeine;</li>
 * <li>{@code caffeineDirect}: {@code Cache.getIfPresent}, the floor under both.</li>
 * </ul>
 * Every variant reads {@value #KEYS} warm keys round robin, so no single-key artifact (one hot
 * bucket, one cached hash) flatters anyone. A trial fails if any call missed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class HitPathBenchmark {

	/** Warm keys; a power of two, so that the next key is picked with a mask. */
	static final int KEYS = 1024;

	static final String CACHE_NAME = "products";

	/** Boxed once: boxing a long above 127 allocates, and that would be the caller's cost, not ours. */
	static final Long[] IDS = new Long[KEYS];

	static {
		for (int i = 0; i < KEYS; i++) {
			IDS[i] = 1_000L + i;
		}
	}

	/**
	 * The Caffeine configuration of both baselines: bounded and expiring like collapse's own store
	 * ({@code collapse.local.max-entries} is 10,000 by default), because a bounded, expiring cache
	 * does more work per read than an unbounded one and every variant should pay for it.
	 */
	static Caffeine<Object, Object> boundedExpiringCache() {
		return Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10));
	}

	@Benchmark
	public String collapsed(CollapsedState state, Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String cacheable(CacheableState state, Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String caffeineDirect(CaffeineState state, Cursor cursor) {
		return state.cache.getIfPresent(cursor.next());
	}

	/** Each thread's walk over the keys, from its own random start so threads do not move in step. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		@Setup(Level.Trial)
		public void start() {
			this.next = ThreadLocalRandom.current().nextInt(KEYS);
		}

		Long next() {
			return IDS[this.next++ & (KEYS - 1)];
		}

	}

	/** A Spring application with one cached catalog bean, started and warmed once per trial. */
	abstract static class SpringState {

		private ConfigurableApplicationContext context;

		Catalog catalog;

		<T> T bean(Class<T> type) {
			return this.context.getBean(type);
		}

		void start(Class<?> configuration) {
			this.context = Applications.start(configuration);
			this.catalog = this.context.getBean(Catalog.class);
			for (Long id : IDS) {
				this.catalog.find(id);
			}
			requireOnlyWarmUpLoads();
		}

		@TearDown(Level.Trial)
		public void stop() {
			try {
				requireOnlyWarmUpLoads();
			}
			finally {
				this.context.close();
			}
		}

		/** A load after the warm-up means a miss was measured, not a hit: the numbers would lie. */
		private void requireOnlyWarmUpLoads() {
			int loads = this.catalog.loads();
			if (loads != KEYS) {
				throw new IllegalStateException(
						"expected " + KEYS + " loads (the warm-up) but the catalog ran " + loads + ": some calls missed");
			}
		}

	}

	@State(Scope.Benchmark)
	public static class CollapsedState extends SpringState {

		@Setup(Level.Trial)
		public void start() {
			start(Applications.CollapsedApplication.class);
		}

	}

	@State(Scope.Benchmark)
	public static class CacheableState extends SpringState {

		@Setup(Level.Trial)
		public void start() {
			start(Applications.CacheableApplication.class);
		}

	}

	@State(Scope.Benchmark)
	public static class CaffeineState {

		final Cache<Long, String> cache = boundedExpiringCache().build();

		@Setup(Level.Trial)
		public void fill() {
			for (Long id : IDS) {
				this.cache.put(id, "product-" + id);
			}
		}

	}

}
