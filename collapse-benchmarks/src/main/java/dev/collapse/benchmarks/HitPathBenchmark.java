package dev.collapse.benchmarks;

import java.time.Duration;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The hit path: the cost of a call whose result is already cached, measured three ways in one run.
 * <ul>
 * <li>{@code collapsed}: a {@code @Collapsed} method called through its Spring proxy;</li>
 * <li>{@code cacheable}: the same method under Spring's {@code @Cacheable} over Caffeine;</li>
 * <li>{@code caffeineDirect}: {@code Cache.getIfPresent}, the floor under both.</li>
 * </ul>
 * Every variant reads many warm keys round robin, so no single-key artifact (one hot bucket, one
 * cached hash) flatters anyone, and a trial fails if any call missed. The number of keys is a
 * parameter because it changes what Caffeine does on a read (see {@link Workload#keys}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class HitPathBenchmark {

	/** Most warm keys of any workload; keys are read with a mask, so every count is a power of two. */
	static final int MAX_KEYS = 8192;

	static final String CACHE_NAME = "products";

	/** Boxed once: boxing a long above 127 allocates, and that would be the caller's cost, not ours. */
	static final Long[] IDS = new Long[MAX_KEYS];

	static {
		for (int i = 0; i < MAX_KEYS; i++) {
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

	/** How many warm keys the variants read. */
	@State(Scope.Benchmark)
	public static class Workload {

		/**
		 * Warm keys, read round robin. All caches here hold at most 10,000 entries, and Caffeine
		 * records reads (for eviction) only once a cache is half full, unless it has per-entry
		 * expiry, which collapse's store has and the baselines do not: 1,024 keys show the
		 * baselines at their cheapest, 8,192 show every variant paying for read recording, as a
		 * busy production cache does.
		 */
		@Param({ "1024", "8192" })
		public int keys;

		/** The warm keys of this workload. */
		Long[] ids() {
			return Arrays.copyOf(IDS, this.keys);
		}

	}

	/** Each thread's walk over the keys, from its own random start so threads do not move in step. */
	@State(Scope.Thread)
	public static class Cursor {

		private int mask;

		private int next;

		@Setup(Level.Trial)
		public void start(Workload workload) {
			this.mask = workload.keys - 1;
			this.next = ThreadLocalRandom.current().nextInt(workload.keys);
		}

		Long next() {
			return IDS[this.next++ & this.mask];
		}

		/** Back to the first key; for tests that expect a known key. */
		void rewind() {
			this.next = 0;
		}

	}

	@State(Scope.Benchmark)
	public static class CollapsedState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start(Workload workload) {
			start(Applications.CollapsedApplication.class, workload.ids());
		}

	}

	@State(Scope.Benchmark)
	public static class CacheableState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start(Workload workload) {
			start(Applications.CacheableApplication.class, workload.ids());
		}

	}

	@State(Scope.Benchmark)
	public static class CaffeineState {

		final Cache<Long, String> cache = boundedExpiringCache().build();

		@Setup(Level.Trial)
		public void fill(Workload workload) {
			for (Long id : workload.ids()) {
				this.cache.put(id, "product-" + id);
			}
		}

	}

}
