package dev.collapse.benchmarks.herd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import org.redisson.Redisson;
import org.redisson.api.RLocalCachedMap;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.LocalCachedMapOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import dev.collapse.benchmarks.RedisServerProcess;
import dev.collapse.benchmarks.herd.FleetHerd.FleetService;

/**
 * Warm hits across a fleet: {@code instances} Spring applications on one {@code redis-server}
 * (started here, on a free port) read {@code keys} keys that are already cached, round robin, on
 * {@code threads} platform threads each, for {@code seconds} after a warm-up of as long. It measures
 * what the hit path costs when every node of a fleet serves a hot working set: nanoseconds of a
 * caller thread per call, and Redis commands per call ({@code INFO stats}, read before and after the
 * measured window). Rows: {@code @Collapsed} with the near cache, {@code @Collapsed} reading
 * through to Redis ({@code collapse.redis.near-cache.enabled=false}), {@code @Collapsed} without
 * Redis (the local hit), {@code @Cacheable} on Spring's {@code RedisCacheManager}, and the peer near
 * cache, Redisson's {@code RLocalCachedMap} (read with {@code get}, filled by hand on a miss).
 *
 * <p>Every application counts its upstream loads: a row that loaded anything in its measured window
 * served a miss, and the harness fails rather than print a hit figure that is not one.
 */
public final class FleetHits {

	/** A row of the table: one way of serving a warm key in a fleet. */
	enum Row {

		COLLAPSED_NEAR("@Collapsed redis, near cache", FleetHerd.CollapsedApplication.class, true, true),
		COLLAPSED_READ_THROUGH("@Collapsed redis, near-cache off", FleetHerd.CollapsedApplication.class, true, false),
		COLLAPSED_LOCAL("@Collapsed local (redis off)", FleetHerd.CollapsedApplication.class, false, false),
		CACHEABLE_REDIS("@Cacheable RedisCacheManager", FleetHerd.NonLockingApplication.class, false, false),
		REDISSON_LOCAL_CACHED("Redisson RLocalCachedMap", null, false, false);

		final String label;

		final Class<?> configuration;

		final boolean redis;

		final boolean nearCache;

		Row(String label, Class<?> configuration, boolean redis, boolean nearCache) {
			this.label = label;
			this.configuration = configuration;
			this.redis = redis;
			this.nearCache = nearCache;
		}

	}

	record HitsResult(String row, long calls, double nanosPerCall, double commandsPerCall, int loads) {

		static final String CSV_HEADER = "row,calls,ns_per_call,redis_commands_per_call,upstream_loads_while_measured";

		String csv() {
			return String.join(",", Csv.quote(this.row), Long.toString(this.calls), Csv.number(this.nanosPerCall),
					Csv.number(this.commandsPerCall), Integer.toString(this.loads));
		}

	}

	private final int instances;

	private final int threads;

	private final int keys;

	private final int seconds;

	private List<Row> rows = List.of(Row.values());

	FleetHits(int instances, int threads, int keys, int seconds) {
		if (instances < 1 || threads < 1 || keys < 1 || seconds < 1) {
			throw new IllegalArgumentException("instances, threads, keys and seconds must be at least 1; got "
					+ instances + ", " + threads + ", " + keys + " and " + seconds);
		}
		this.instances = instances;
		this.threads = threads;
		this.keys = keys;
		this.seconds = seconds;
	}

	/** Runs only {@code rows}, in table order. */
	FleetHits rows(List<Row> rows) {
		this.rows = rows;
		return this;
	}

	List<HitsResult> runAll(Path out, String name, String redisServer) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start(redisServer)) {
			RedisClient client = RedisClient.create(redis.uri());
			try (StatefulRedisConnection<String, String> admin = client.connect()) {
				List<HitsResult> results = new ArrayList<>();
				for (Row row : this.rows) {
					results.add(run(row, redis.port(), admin));
				}
				String setup = String.format(Locale.ROOT,
						"%d instances x %d threads, %d warm keys, %d s measured after %d s of warm-up, one redis-server, JDK %s",
						this.instances, this.threads, this.keys, this.seconds, this.seconds, Runtime.version());
				System.out.println();
				System.out.println("Fleet hits: " + setup);
				System.out.println(table(results));
				Csv.write(out.resolve(name + ".csv"), HitsResult.CSV_HEADER, results.stream().map(HitsResult::csv).toList());
				System.out.println("wrote " + out.resolve(name + ".csv"));
				return results;
			}
			finally {
				client.shutdown();
			}
		}
	}

	private HitsResult run(Row row, int port, StatefulRedisConnection<String, String> admin) throws Exception {
		Upstream upstream = new Upstream(0);
		List<ConfigurableApplicationContext> contexts = new ArrayList<>();
		List<RedissonClient> redissons = new ArrayList<>();
		try {
			List<FleetService> services = new ArrayList<>();
			for (int i = 0; i < this.instances; i++) {
				if (row == Row.REDISSON_LOCAL_CACHED) {
					Config config = new Config();
					config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
					RedissonClient client = Redisson.create(config);
					redissons.add(client);
					services.add(redissonService(client, upstream));
					continue;
				}
				ConfigurableApplicationContext context = new SpringApplicationBuilder(row.configuration)
					.web(WebApplicationType.NONE)
					.logStartupInfo(false)
					.properties("spring.main.banner-mode=off", "logging.level.root=warn",
							"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
							"collapse.redis.enabled=" + row.redis, "collapse.redis.near-cache.enabled=" + row.nearCache,
							"collapse.redis.key-prefix=hits-" + row.name().toLowerCase(Locale.ROOT) + ":")
					.initializers((c) -> c.getBeanFactory().registerSingleton("upstream", upstream))
					.run();
				contexts.add(context);
				services.add(context.getBean(FleetService.class));
			}
			String[] names = new String[this.keys];
			for (int k = 0; k < this.keys; k++) {
				names[k] = "hit-" + k;
				for (FleetService service : services) {
					service.find(names[k]);
				}
			}
			read(services, names, TimeUnit.SECONDS.toNanos(this.seconds), new LongAdder(), new LongAdder());
			int loadsBefore = upstream.loads();
			LongAdder calls = new LongAdder();
			LongAdder busyNanos = new LongAdder();
			long commandsBefore = FleetHerd.totalCommands(admin);
			read(services, names, TimeUnit.SECONDS.toNanos(this.seconds), calls, busyNanos);
			// the INFO that read "before" is counted in "after": take it out
			long commands = FleetHerd.totalCommands(admin) - commandsBefore - 1;
			int loads = upstream.loads() - loadsBefore;
			if (loads != 0) {
				throw new IllegalStateException(row.label + ": " + loads + " loads while measuring warm hits: a miss is not a hit");
			}
			long n = calls.sum();
			return new HitsResult(row.label, n, busyNanos.sum() / (double) n, commands / (double) n, loads);
		}
		finally {
			contexts.forEach(ConfigurableApplicationContext::close);
			redissons.forEach(RedissonClient::shutdown);
		}
	}

	/**
	 * The peer: a read of Redisson's near cache, and on a miss a load and a {@code fastPut}, the way
	 * a user caches with it by hand (no single-flight: it only serves warm keys here).
	 */
	private static FleetService redissonService(RedissonClient client, Upstream upstream) {
		RLocalCachedMap<String, String> map = client.getLocalCachedMap(
				LocalCachedMapOptions.<String, String>name("hits-redisson").codec(StringCodec.INSTANCE));
		return (key) -> {
			String value = map.get(key);
			if (value == null) {
				value = upstream.load(key);
				map.fastPut(key, value);
			}
			return value;
		};
	}

	/** Every thread of every instance reads the keys round robin, from its own start, for {@code nanos}. */
	private void read(List<FleetService> services, String[] names, long nanos, LongAdder calls, LongAdder busyNanos)
			throws InterruptedException {
		int size = services.size() * this.threads;
		CountDownLatch start = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(size);
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger wrong = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			FleetService service = services.get(i % services.size());
			int offset = i * 7919;
			Thread thread = new Thread(() -> {
				long count = 0;
				try {
					start.await();
					long began = System.nanoTime();
					int k = offset;
					while (!stop.get()) {
						String name = names[Math.floorMod(k++, names.length)];
						if (!service.find(name).equals("value-" + name)) {
							wrong.incrementAndGet();
						}
						count++;
					}
					busyNanos.add(System.nanoTime() - began);
					calls.add(count);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					done.countDown();
				}
			}, "hits-" + i);
			threads.add(thread);
			thread.start();
		}
		start.countDown();
		TimeUnit.NANOSECONDS.sleep(nanos);
		stop.set(true);
		if (!done.await(1, TimeUnit.MINUTES)) {
			throw new IllegalStateException(done.getCount() + " reader threads did not stop within a minute");
		}
		if (wrong.get() != 0) {
			throw new IllegalStateException(wrong.get() + " calls returned a wrong value");
		}
	}

	static String table(List<HitsResult> results) {
		double local = results.stream()
			.filter((r) -> r.row().equals(Row.COLLAPSED_LOCAL.label))
			.mapToDouble(HitsResult::nanosPerCall)
			.findFirst()
			.orElse(Double.NaN);
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "%-36s %12s %12s %10s %14s%n", "row", "calls", "ns/call", "x local",
				"cmds/call"));
		for (HitsResult r : results) {
			table.append(String.format(Locale.ROOT, "%-36s %12d %12.0f %10.2f %14.4f%n", r.row(), r.calls(),
					r.nanosPerCall(), r.nanosPerCall() / local, r.commandsPerCall()));
		}
		table.append("(ns/call = a reader thread's time per call; x local = ns/call over the local hit's, same run; "
				+ "cmds/call = Redis commands in the measured window per call)\n");
		return table.toString();
	}

}
