package dev.collapse.benchmarks.herd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.StringRedisSerializer;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import dev.collapse.annotation.Collapsed;
import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseRedisAutoConfiguration;
import dev.collapse.benchmarks.RedisServerProcess;

/**
 * The fleet herd: {@code instances} Spring applications share one {@code redis-server} (started
 * here, on a free port) and one upstream (the database they all hit); {@code callersPerInstance}
 * callers on each ask for one key at the same moment. Rows: no protection; {@code @Cacheable} on
 * Spring's {@code RedisCacheManager} (non-locking writer); the same with the locking writer; and
 * {@code @Collapsed} with {@code collapse.redis.enabled=true}. Redis commands are counted with
 * {@code INFO stats} ({@code total_commands_processed}) before and after the herd.
 */
public final class FleetHerd {

	private final int instances;

	private final int callersPerInstance;

	private final long upstreamMillis;

	private final Callers threads;

	/** Latency of the upstream in the warm-up herds: short, so that many of them fit in a few seconds. */
	static final long WARM_UP_UPSTREAM_MILLIS = 2;

	private final int warmUps;

	/** Most time a row spends warming up (the locking writer's herds take seconds each). */
	private final Duration warmUpBudget;

	private final int rounds;

	private List<Row> rows = List.of(Row.values());

	FleetHerd(int instances, int callersPerInstance, long upstreamMillis, Callers threads, int warmUps,
			Duration warmUpBudget, int rounds) {
		if (instances < 1 || callersPerInstance < 1 || upstreamMillis < 0 || warmUps < 0 || rounds < 1
				|| warmUpBudget.isNegative()) {
			throw new IllegalArgumentException("instances, callers and rounds must be at least 1, upstream-ms, "
					+ "warm-up and warm-up-seconds at least 0; got " + instances + ", " + callersPerInstance + ", "
					+ rounds + ", " + upstreamMillis + ", " + warmUps + " and " + warmUpBudget.toSeconds());
		}
		this.warmUpBudget = warmUpBudget;
		this.instances = instances;
		this.callersPerInstance = callersPerInstance;
		this.upstreamMillis = upstreamMillis;
		this.threads = threads;
		this.warmUps = warmUps;
		this.rounds = rounds;
	}

	/** Runs only {@code rows}, in table order. */
	FleetHerd rows(List<Row> rows) {
		this.rows = rows;
		return this;
	}

	/** A row of the fleet table: how one instance's callers reach the upstream. */
	enum Row {

		NONE("none", null), FLOOR("floor: one future per instance", null), CACHEABLE_REDIS("@Cacheable(sync) RedisCacheManager", NonLockingApplication.class),
		CACHEABLE_REDIS_LOCKING("@Cacheable(sync) locking writer", LockingApplication.class),
		COLLAPSED_REDIS("@Collapsed redis.enabled", CollapsedApplication.class);

		final String label;

		final Class<?> configuration;

		Row(String label, Class<?> configuration) {
			this.label = label;
			this.configuration = configuration;
		}

	}

	record FleetResult(String row, int warmUps, int callers, int loads, int errors, double wallMillis,
			double p50Millis, double p99Millis, int joined, double wakeP50Millis, double wakeP99Millis,
			double commandsPerInstance) {

		static final String CSV_HEADER = "row,warm_up_herds,callers,upstream_loads,errors,wall_ms,p50_ms,p99_ms,"
				+ "joined_first_load,wake_p50_ms,wake_p99_ms,redis_commands_per_instance";

		String csv() {
			return String.join(",", Csv.quote(this.row), Integer.toString(this.warmUps), Integer.toString(this.callers),
					Integer.toString(this.loads),
					Integer.toString(this.errors), Csv.number(this.wallMillis), Csv.number(this.p50Millis),
					Csv.number(this.p99Millis), Integer.toString(this.joined), Csv.number(this.wakeP50Millis),
					Csv.number(this.wakeP99Millis), Csv.number(this.commandsPerInstance));
		}

	}

	List<FleetResult> runAll(Path out, String name, String redisServer) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start(redisServer)) {
			return runAll(out, name, redis);
		}
	}

	private List<FleetResult> runAll(Path out, String name, RedisServerProcess redis) throws Exception {
		int port = redis.port();
		RedisClient client = RedisClient.create(redis.uri());
		try {
			StatefulRedisConnection<String, String> admin = client.connect();
			List<FleetResult> results = new ArrayList<>();
			for (Row row : this.rows) {
				results.add(run(row, port, admin));
			}
			admin.close();
			String setup = String.format(Locale.ROOT,
					"%d instances x %d callers, one key, upstream %d ms, %d herds after up to %d warm-up herds (%d s at most), one redis-server, %s, JDK %s",
					this.instances, this.callersPerInstance, this.upstreamMillis, this.rounds, this.warmUps,
					this.warmUpBudget.toSeconds(),
					this.threads.describe(this.instances * this.callersPerInstance), Runtime.version());
			System.out.println();
			System.out.println("Fleet herd: " + setup);
			System.out.println(table(results));
			Csv.write(out.resolve(name + ".csv"), FleetResult.CSV_HEADER, results.stream().map(FleetResult::csv).toList());
			BarChart.write(out.resolve(name + ".png"), "Fleet herd: " + setup,
					results.stream().map(FleetResult::row).toList(),
					List.of(new BarChart.Panel("follower wake-up p99 (ms)", values(results, FleetResult::wakeP99Millis), false),
							new BarChart.Panel("upstream loads (log scale)", values(results, (r) -> r.loads()), true),
							new BarChart.Panel("Redis commands per instance (log)",
									values(results, FleetResult::commandsPerInstance), true)));
			System.out.println("wrote " + out.resolve(name + ".csv") + " and " + out.resolve(name + ".png"));
			return results;
		}
		finally {
			client.shutdown();
		}
	}

	private FleetResult run(Row row, int port, StatefulRedisConnection<String, String> admin) throws Exception {
		Upstream upstream = new Upstream(this.upstreamMillis);
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		List<Function<String, String>> callers = new ArrayList<>();
		try {
			FloorFleet floor = (row == Row.FLOOR) ? new FloorFleet(upstream, this.instances) : null;
			for (int i = 0; i < this.instances; i++) {
				if (row == Row.NONE) {
					callers.add(upstream::load);
					continue;
				}
				if (row == Row.FLOOR) {
					int instance = i;
					callers.add((key) -> floor.find(instance, key));
					continue;
				}
				ConfigurableApplicationContext context = new SpringApplicationBuilder(row.configuration)
					.web(WebApplicationType.NONE)
					.logStartupInfo(false)
					.properties("spring.main.banner-mode=off", "logging.level.root=warn",
							"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
							"collapse.redis.enabled=true")
					.initializers((c) -> c.getBeanFactory().registerSingleton("upstream", upstream))
					.run();
				contexts.add(context);
				FleetService service = context.getBean(FleetService.class);
				callers.add(service::find);
			}
			// warm-up herds on other keys, with a short upstream: the JIT compiles every row's
			// paths before they are measured. A herd has one load, so the leader's path (writing
			// the value, the completion, a waiting node's read) runs once per herd: it takes
			// thousands of herds to leave the interpreter, where one JSON write alone took 300 us
			upstream.delayMillis(WARM_UP_UPSTREAM_MILLIS);
			int warmUps = Harness.warmUp(this.warmUps, this.warmUpBudget, (i) -> herd(row, callers, upstream,
					"warm-up-" + i + "-" + row.name(), Math.min(this.callersPerInstance, 20), admin));
			upstream.delayMillis(this.upstreamMillis);
			List<Herd> herds = new ArrayList<>();
			for (int i = 0; i < this.rounds; i++) {
				System.gc();
				herds.add(herd(row, callers, upstream, "hot-" + i + "-" + row.name(), this.callersPerInstance, admin));
			}
			return Herd.result(row.label, warmUps, herds, this.instances);
		}
		finally {
			contexts.forEach(ConfigurableApplicationContext::close);
		}
	}

	/** What one herd measured: each caller's latency, each joined caller's wake-up, in nanoseconds. */
	record Herd(int callers, int loads, int errors, long wallNanos, long[] latencies, long[] wakes, long commands) {

		/** The rounds of one row together: loads of the worst herd, percentiles over every caller of every herd. */
		static FleetResult result(String row, int warmUps, List<Herd> herds, int instances) {
			long[] latencies = herds.stream().flatMapToLong((h) -> Arrays.stream(h.latencies())).sorted().toArray();
			long[] wakes = herds.stream().flatMapToLong((h) -> Arrays.stream(h.wakes())).sorted().toArray();
			long[] walls = herds.stream().mapToLong(Herd::wallNanos).sorted().toArray();
			int rounds = herds.size();
			return new FleetResult(row, warmUps, herds.get(0).callers(), herds.stream().mapToInt(Herd::loads).max().orElse(0),
					herds.stream().mapToInt(Herd::errors).sum(), walls[(rounds - 1) / 2] / 1e6,
					LocalHerd.percentile(latencies, 50) / 1e6, LocalHerd.percentile(latencies, 99) / 1e6,
					wakes.length / rounds, (wakes.length == 0) ? Double.NaN : LocalHerd.percentile(wakes, 50) / 1e6,
					(wakes.length == 0) ? Double.NaN : LocalHerd.percentile(wakes, 99) / 1e6,
					herds.stream().mapToLong(Herd::commands).sum() / (double) rounds / instances);
		}

	}

	private Herd herd(Row row, List<Function<String, String>> instances, Upstream upstream, String key,
			int perInstance, StatefulRedisConnection<String, String> admin) throws InterruptedException {
		int size = perInstance * instances.size();
		String expected = "value-" + key;
		int loadsBefore = upstream.loads();
		upstream.resetFirstLoadEnd();
		CountDownLatch ready = new CountDownLatch(this.threads.concurrent(size));
		CountDownLatch gate = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(size);
		long[] started = new long[size];
		long[] finished = new long[size];
		AtomicInteger errors = new AtomicInteger();
		ExecutorService executor = this.threads.executor(size);
		try {
			for (int i = 0; i < size; i++) {
				int caller = i;
				Function<String, String> instance = instances.get(i % instances.size());
				executor.execute(() -> {
					ready.countDown();
					try {
						gate.await();
						started[caller] = System.nanoTime();
						if (!expected.equals(instance.apply(key))) {
							errors.incrementAndGet();
						}
					}
					catch (Throwable ex) {
						errors.incrementAndGet();
					}
					finally {
						finished[caller] = System.nanoTime();
						done.countDown();
					}
				});
			}
			if (!ready.await(2, TimeUnit.MINUTES)) {
				throw new IllegalStateException("the callers of " + row.label + " did not start within 2 minutes");
			}
			long commandsBefore = totalCommands(admin);
			long start = System.nanoTime();
			gate.countDown();
			if (!done.await(upstream.delayMillis() * 50 + 120_000, TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException(row.label + ": " + done.getCount() + " callers never got an answer");
			}
			long end = System.nanoTime();
			// the INFO that reads "before" is counted in "after": take it out
			long commands = totalCommands(admin) - commandsBefore - 1;
			long[] latencies = new long[size];
			for (int i = 0; i < size; i++) {
				latencies[i] = finished[i] - started[i];
			}
			long loadEnd = upstream.firstLoadEnd();
			long[] wakes = new long[size];
			int joined = 0;
			for (int i = 0; i < size; i++) {
				// without protection nobody waits for anybody's load: no wake-up to measure
				if (row != Row.NONE && loadEnd != 0 && started[i] < loadEnd) {
					wakes[joined++] = finished[i] - loadEnd;
				}
			}
			return new Herd(size, upstream.loads() - loadsBefore, errors.get(), end - start, latencies,
					Arrays.copyOf(wakes, joined), commands);
		}
		finally {
			executor.shutdownNow();
			executor.awaitTermination(1, TimeUnit.MINUTES);
		}
	}

	static long totalCommands(StatefulRedisConnection<String, String> admin) {
		for (String line : admin.sync().info("stats").split("\r?\n")) {
			if (line.startsWith("total_commands_processed:")) {
				return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
			}
		}
		throw new IllegalStateException("INFO stats has no total_commands_processed");
	}

	static double[] values(List<FleetResult> results, java.util.function.ToDoubleFunction<FleetResult> metric) {
		return results.stream().mapToDouble(metric).toArray();
	}

	static String table(List<FleetResult> results) {
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "%-36s %7s %7s %6s %6s %8s %8s %8s %7s %9s %9s %12s%n", "row", "warm-up",
				"callers", "loads", "errors", "wall ms", "p50 ms", "p99 ms", "joined", "wake p50", "wake p99", "cmds/inst"));
		for (FleetResult r : results) {
			table.append(String.format(Locale.ROOT, "%-36s %7d %7d %6d %6d %8.1f %8.1f %8.1f %7d %9s %9s %12.1f%n", r.row(),
					r.warmUps(), r.callers(), r.loads(), r.errors(), r.wallMillis(), r.p50Millis(), r.p99Millis(), r.joined(),
					Csv.number(r.wakeP50Millis()), Csv.number(r.wakeP99Millis()), r.commandsPerInstance()));
		}
		table.append("(ms; warm-up = herds run before the measured ones; loads = most in one herd; wall = median herd; p50/p99 over every caller of every herd; "
				+ "joined = callers per herd whose call began before the first load ended; wake = from the end of the "
				+ "first load to a joined caller's answer; cmds/inst = Redis commands per herd / instances)\n");
		return table.toString();
	}

	/**
	 * The floor of the wake-up: no cache and no Redis, only the hand-off. The first caller of a key
	 * in the fleet loads it and completes one future per instance, on which that instance's other
	 * callers wait. What its wake-up takes is what waking that many parked threads costs on the
	 * machine; a row's wake-up above it is the row's own.
	 */
	static final class FloorFleet {

		private final Upstream upstream;

		private final int instances;

		private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

		FloorFleet(Upstream upstream, int instances) {
			this.upstream = upstream;
			this.instances = instances;
		}

		String find(int instance, String key) {
			Flight flight = this.flights.computeIfAbsent(key, (k) -> new Flight(this.instances));
			if (!flight.led.compareAndSet(false, true)) {
				return flight.results[instance].join();
			}
			String value = this.upstream.load(key);
			for (CompletableFuture<String> result : flight.results) {
				result.complete(value);
			}
			return value;
		}

		private static final class Flight {

			final AtomicBoolean led = new AtomicBoolean();

			final CompletableFuture<String>[] results;

			@SuppressWarnings("unchecked")
			Flight(int instances) {
				this.results = new CompletableFuture[instances];
				Arrays.setAll(this.results, (i) -> new CompletableFuture<>());
			}

		}

	}

	/** What every row's application exposes. */
	public interface FleetService {

		String find(String key);

	}

	public static class CacheableFleetService implements FleetService {

		private final Upstream upstream;

		public CacheableFleetService(Upstream upstream) {
			this.upstream = upstream;
		}

		@Override
		@Cacheable(cacheNames = "fleet", sync = true)
		public String find(String key) {
			return this.upstream.load(key);
		}

	}

	public static class CollapsedFleetService implements FleetService {

		private final Upstream upstream;

		public CollapsedFleetService(Upstream upstream) {
			this.upstream = upstream;
		}

		@Override
		@Collapsed(name = "fleet", ttl = "10m")
		public String find(String key) {
			return this.upstream.load(key);
		}

	}

	/** Spring's cache manager as the peers use it: plain string values, a 10 minute TTL. */
	public static RedisCacheManager cacheManager(RedisCacheWriter writer) {
		RedisCacheConfiguration config = RedisCacheConfiguration.defaultCacheConfig()
			.entryTtl(Duration.ofMinutes(10))
			.serializeValuesWith(RedisSerializationContext.SerializationPair.fromSerializer(new StringRedisSerializer()));
		return RedisCacheManager.builder(writer).cacheDefaults(config).build();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration({ AopAutoConfiguration.class, DataRedisAutoConfiguration.class })
	static class NonLockingApplication {

		@Bean
		RedisCacheManager cacheManager(RedisConnectionFactory factory) {
			return FleetHerd.cacheManager(RedisCacheWriter.nonLockingRedisCacheWriter(factory));
		}

		@Bean
		CacheableFleetService fleetService(Upstream upstream) {
			return new CacheableFleetService(upstream);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration({ AopAutoConfiguration.class, DataRedisAutoConfiguration.class })
	static class LockingApplication {

		@Bean
		RedisCacheManager cacheManager(RedisConnectionFactory factory) {
			return FleetHerd.cacheManager(RedisCacheWriter.lockingRedisCacheWriter(factory));
		}

		@Bean
		CacheableFleetService fleetService(Upstream upstream) {
			return new CacheableFleetService(upstream);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, DataRedisAutoConfiguration.class,
			CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class })
	static class CollapsedApplication {

		@Bean
		CollapsedFleetService fleetService(Upstream upstream) {
			return new CollapsedFleetService(upstream);
		}

	}

}
