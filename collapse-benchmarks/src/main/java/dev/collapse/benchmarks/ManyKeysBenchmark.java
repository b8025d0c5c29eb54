package dev.collapse.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The hot path with many keys: 100,000 warm keys read with a Zipf distribution (s = 1), as a
 * catalogue's popular items are, by 2 threads; throughput of {@code @Collapsed} against
 * {@code @Cacheable} over Caffeine, and a bare Caffeine lookup as the floor. Every store holds
 * every key ({@value #CAPACITY} entries for each), so no variant misses or evicts; a trial fails if
 * any call after the warm-up ran the method. The capacity is less than twice the keys, so every
 * store's Caffeine (collapse's store is one too) is over half full and records its reads (Caffeine
 * skips that while a size-bounded cache is under half full): all pay for the read buffer, as a busy
 * production cache does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class ManyKeysBenchmark {

	static final int KEYS = 100_000;

	/** Room for every key in every store: {@code collapse.local.max-entries} and the Caffeine spec. */
	static final int CAPACITY = 125_000;

	/** Length of the precomputed read sequence; a power of two, read with a mask. */
	static final int SEQUENCE_LENGTH = 1 << 21;

	/** Zipf exponent. */
	static final double S = 1.0;

	/** Boxed once, so that no variant pays for boxing. */
	static final Long[] IDS = new Long[KEYS];

	/** The key index of each read: drawn once, with a fixed seed, so every variant reads the same keys. */
	static final int[] SEQUENCE = zipfSequence(KEYS, S, SEQUENCE_LENGTH, 42);

	static {
		for (int i = 0; i < KEYS; i++) {
			IDS[i] = 1_000L + i;
		}
	}

	/**
	 * {@code length} draws of a key index in {@code [0, keys)} where the key of rank r (1 = most
	 * popular) is drawn with probability proportional to 1/r^s. Ranks are given to keys by a seeded
	 * shuffle, so the popular keys are not neighbours.
	 */
	static int[] zipfSequence(int keys, double s, int length, long seed) {
		double[] cumulative = new double[keys];
		double sum = 0;
		for (int rank = 1; rank <= keys; rank++) {
			sum += 1 / Math.pow(rank, s);
			cumulative[rank - 1] = sum;
		}
		int[] keyOfRank = new int[keys];
		for (int i = 0; i < keys; i++) {
			keyOfRank[i] = i;
		}
		Random random = new Random(seed);
		for (int i = keys - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int swap = keyOfRank[i];
			keyOfRank[i] = keyOfRank[j];
			keyOfRank[j] = swap;
		}
		int[] sequence = new int[length];
		for (int i = 0; i < length; i++) {
			int found = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
			int rank = found >= 0 ? found : Math.min(-found - 1, keys - 1);
			sequence[i] = keyOfRank[rank];
		}
		return sequence;
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

	/** Each thread's walk over the read sequence, from its own random start. */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		@Setup(Level.Trial)
		public void start() {
			this.next = ThreadLocalRandom.current().nextInt(SEQUENCE_LENGTH);
		}

		Long next() {
			return IDS[SEQUENCE[this.next++ & (SEQUENCE_LENGTH - 1)]];
		}

	}

	@State(Scope.Benchmark)
	public static class CollapsedState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start() {
			start(Applications.CollapsedApplication.class, IDS, "collapse.local.max-entries=" + CAPACITY);
		}

	}

	@State(Scope.Benchmark)
	public static class CacheableState extends WarmCatalogState {

		@Setup(Level.Trial)
		public void start() {
			start(CacheableApplication.class, IDS);
		}

	}

	@State(Scope.Benchmark)
	public static class CaffeineState {

		final Cache<Long, String> cache = caffeine().build();

		@Setup(Level.Trial)
		public void fill() {
			for (Long id : IDS) {
				this.cache.put(id, "product-" + id);
			}
		}

	}

	/** The baselines' Caffeine: bounded to {@link #CAPACITY} and expiring like collapse's store. */
	static Caffeine<Object, Object> caffeine() {
		return Caffeine.newBuilder().maximumSize(CAPACITY).expireAfterWrite(Duration.ofMinutes(10));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration(AopAutoConfiguration.class)
	static class CacheableApplication {

		@Bean
		CaffeineCacheManager cacheManager() {
			CaffeineCacheManager cacheManager = new CaffeineCacheManager(HitPathBenchmark.CACHE_NAME);
			cacheManager.setCaffeine(caffeine());
			return cacheManager;
		}

		@Bean
		CacheableCatalog catalog() {
			return new CacheableCatalog();
		}

	}

}
