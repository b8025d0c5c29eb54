package dev.collapse.benchmarks.herd;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.collapse.annotation.Collapsed;
import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.core.Collapser;

/**
 * What collapse keeps in the heap, measured: bytes per cached entry and per key in flight, with
 * the same numbers for the peers.
 *
 * <p>Method: the used heap ({@code MemoryMXBean}) after three {@code System.gc()} is read before and
 * after the entries exist, and the difference divided by their number. The keys (boxed once) and
 * the values (prepared once) are allocated before the first reading, so the number is what the
 * cache adds around them: its nodes, its key and entry wrappers, its share of the table. Keys in
 * flight: each key's load blocks on a latch (sync rows, one caller thread per key) or on an
 * incomplete future (async rows, no thread); the first reading is taken with the same threads
 * blocked on the same latch outside any cache, so threads and their stacks are not counted,
 * except the deeper stack frames of the cached call on virtual threads (whose stacks live in the
 * heap).
 */
public final class MemoryFootprint {

	static final int CACHED = 100_000;

	static final int IN_FLIGHT = 10_000;

	/** The keys, boxed once. */
	static final Long[] IDS = new Long[CACHED];

	/** The values, prepared once: the stores share them, so they are not counted. */
	static final String[] VALUES = new String[CACHED];

	static {
		for (int i = 0; i < CACHED; i++) {
			IDS[i] = (long) i;
			VALUES[i] = "product-" + i;
		}
	}

	/** Latches of the sync in-flight rows; set before each measurement, read by the beans. */
	static volatile CountDownLatch entered;

	static volatile CountDownLatch release;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private final Callers threads;

	MemoryFootprint(Callers threads) {
		this.threads = threads;
	}

	/** A measured number of bytes per item. */
	public record Footprint(String row, String what, int count, double bytesPerItem) {

		String csv() {
			return String.join(",", Csv.quote(this.row), this.what, Integer.toString(this.count),
					Double.isNaN(this.bytesPerItem) ? "" : String.format(Locale.ROOT, "%.0f", this.bytesPerItem));
		}

	}

	List<Footprint> runAll(Path out, String name) throws Exception {
		List<Footprint> results = new ArrayList<>();
		try (ConfigurableApplicationContext collapse = start(CollapsedApplication.class)) {
			CollapsedLookup lookup = collapse.getBean(CollapsedLookup.class);
			Collapser collapser = collapse.getBean(Collapser.class);
			results.add(cached("@Collapsed", (i) -> lookup.find(IDS[(int) i])));
			results.add(inFlightSync("@Collapsed (sync, leader thread blocked)", (i) -> lookup.hold(IDS[(int) i])));
			CompletableFuture<Void> released = new CompletableFuture<>();
			results.add(inFlightAsync("Collapser.collapseAsync", released, (i) -> collapser.collapseAsync(
					"memory-async", IDS[(int) i], () -> released.thenApply((v) -> VALUES[(int) i]))));
		}
		try (ConfigurableApplicationContext cacheable = start(CacheableApplication.class)) {
			CacheableLookup lookup = cacheable.getBean(CacheableLookup.class);
			results.add(cached("@Cacheable (Caffeine)", (i) -> lookup.find(IDS[(int) i])));
			results.add(inFlightSync("@Cacheable(sync) (caller thread blocked)", (i) -> lookup.hold(IDS[(int) i])));
		}
		Cache<Long, String> cache = caffeine().build();
		results.add(cached("Caffeine Cache", (i) -> cache.get(IDS[(int) i], (id) -> VALUES[(int) i])));
		AsyncCache<Long, String> asyncCache = caffeine().buildAsync();
		CompletableFuture<Void> released = new CompletableFuture<>();
		results.add(inFlightAsync("Caffeine AsyncCache", released,
				(i) -> asyncCache.get(IDS[(int) i], (id, executor) -> released.thenApply((v) -> VALUES[(int) i]))));
		System.out.println();
		System.out.println("Memory: JDK " + Runtime.version() + ", in-flight callers on "
				+ this.threads.describe(IN_FLIGHT) + ", JVM options " + ManagementFactory.getRuntimeMXBean().getInputArguments());
		System.out.println(String.format(Locale.ROOT, "%-42s %-14s %8s %10s", "row", "what", "count", "bytes each"));
		// a row whose loads could not all be in flight at once has no number, only its note
		for (Footprint f : results) {
			System.out.println(String.format(Locale.ROOT, "%-42s %-14s %,8d %,10.0f", f.row(), f.what(), f.count(),
					f.bytesPerItem()));
		}
		Path csv = out.resolve(name + ".csv");
		Csv.write(csv, "row,what,count,bytes_per_item",
				results.stream().map(Footprint::csv).toList());
		System.out.println("wrote " + csv);
		return results;
	}

	private Footprint cached(String row, LongConsumer fill) {
		fill.accept(CACHED - 1); // creates the instance, its first structures: not per entry
		long before = usedAfterGc();
		for (int i = 0; i < CACHED - 1; i++) {
			fill.accept(i);
		}
		long after = usedAfterGc();
		// the cache may be reachable only through fill: keep it alive until it has been weighed
		Reference.reachabilityFence(fill);
		return new Footprint(row, "cached entry", CACHED - 1, (after - before) / (double) (CACHED - 1));
	}

	private Footprint inFlightSync(String row, LongConsumer hold) throws InterruptedException {
		long baseline = withThreadsBlocked((i) -> awaitQuietly(release));
		long held = withThreadsBlocked(hold);
		if (baseline < 0 || held < 0) {
			long started = -Math.min(baseline, held);
			return new Footprint(row + " [only " + started + " of " + IN_FLIGHT + " loads could run at once]",
					"key in flight", IN_FLIGHT, Double.NaN);
		}
		return new Footprint(row, "key in flight", IN_FLIGHT, (held - baseline) / (double) IN_FLIGHT);
	}

	/**
	 * Starts one thread per key, each blocked in {@code task} on {@link #release}, and returns the
	 * used heap then; or, when the loads stop starting before all of them have (a cache that
	 * serializes loads of different keys), minus the number that started.
	 */
	private long withThreadsBlocked(LongConsumer task) throws InterruptedException {
		entered = new CountDownLatch(IN_FLIGHT);
		release = new CountDownLatch(1);
		ExecutorService executor = this.threads.executor(IN_FLIGHT);
		try {
			for (int i = 0; i < IN_FLIGHT; i++) {
				long key = i;
				executor.execute(() -> task.accept(key));
			}
			long waiting = entered.getCount();
			while (!entered.await(10, TimeUnit.SECONDS)) {
				if (entered.getCount() == waiting) {
					// no load started for 10 s: the others are blocked behind the ones that did
					return -(IN_FLIGHT - waiting);
				}
				waiting = entered.getCount();
			}
			return usedAfterGc();
		}
		finally {
			release.countDown();
			executor.shutdown();
			if (!executor.awaitTermination(5, TimeUnit.MINUTES)) {
				throw new IllegalStateException("the in-flight callers did not finish");
			}
		}
	}

	private Footprint inFlightAsync(String row, CompletableFuture<Void> released,
			java.util.function.LongFunction<CompletableFuture<String>> call) {
		long before = usedAfterGc();
		List<CompletableFuture<String>> futures = new ArrayList<>(IN_FLIGHT);
		for (int i = 0; i < IN_FLIGHT; i++) {
			futures.add(call.apply(i));
		}
		long after = usedAfterGc();
		Reference.reachabilityFence(call);
		released.complete(null);
		futures.forEach(CompletableFuture::join);
		// the callers' futures and the list that holds them are the caller's, not the cache's
		long callerFutures = futuresFootprint();
		return new Footprint(row, "key in flight", IN_FLIGHT, (after - before - callerFutures) / (double) IN_FLIGHT);
	}

	/** What the caller's own list of incomplete futures weighs, measured the same way. */
	private long futuresFootprint() {
		long before = usedAfterGc();
		List<CompletableFuture<String>> futures = new ArrayList<>(IN_FLIGHT);
		for (int i = 0; i < IN_FLIGHT; i++) {
			futures.add(new CompletableFuture<>());
		}
		long after = usedAfterGc();
		Reference.reachabilityFence(futures);
		return after - before;
	}

	long usedAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		return this.memory.getHeapMemoryUsage().getUsed();
	}

	static void awaitQuietly(CountDownLatch latch) {
		entered.countDown();
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static ConfigurableApplicationContext start(Class<?> configuration) {
		return new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties("spring.main.banner-mode=off", "logging.level.root=warn",
					"collapse.local.max-entries=" + (CACHED + CACHED / 4), "collapse.defaults.wait-timeout=5m")
			.run();
	}

	static Caffeine<Object, Object> caffeine() {
		return Caffeine.newBuilder().maximumSize(CACHED + CACHED / 4).expireAfterWrite(Duration.ofMinutes(10));
	}

	/** The measured methods under {@code @Collapsed}. */
	public static class CollapsedLookup {

		@Collapsed(name = "memory", key = "#id", ttl = "10m")
		public String find(Long id) {
			return VALUES[id.intValue()];
		}

		@Collapsed(name = "memory-in-flight", key = "#id", ttl = "10m")
		public String hold(Long id) {
			awaitQuietly(release);
			return VALUES[id.intValue()];
		}

	}

	/** The measured methods under {@code @Cacheable}. */
	public static class CacheableLookup {

		@Cacheable("memory")
		public String find(Long id) {
			return VALUES[id.intValue()];
		}

		@Cacheable(cacheNames = "memory-in-flight", sync = true)
		public String hold(Long id) {
			awaitQuietly(release);
			return VALUES[id.intValue()];
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, CollapseAutoConfiguration.class })
	static class CollapsedApplication {

		@Bean
		CollapsedLookup collapsedLookup() {
			return new CollapsedLookup();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration(AopAutoConfiguration.class)
	static class CacheableApplication {

		@Bean
		CaffeineCacheManager cacheManager() {
			CaffeineCacheManager cacheManager = new CaffeineCacheManager("memory", "memory-in-flight");
			cacheManager.setCaffeine(caffeine());
			return cacheManager;
		}

		@Bean
		CacheableLookup cacheableLookup() {
			return new CacheableLookup();
		}

	}

}
