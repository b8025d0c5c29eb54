package dev.collapse.benchmarks.herd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the herd benchmarks from the command line:
 *
 * <pre>
 * java -cp collapse-benchmarks/target/benchmarks.jar dev.collapse.benchmarks.herd.Harness [local|memory|fleet|hits] [--option=value ...]
 * </pre>
 *
 * Options: {@code --callers} (10000), {@code --upstream-ms} (100), {@code --out}
 * ({@code collapse-benchmarks/results}), {@code --name} (base name of the files, {@code local-herd}),
 * {@code --name} is {@code memory} for the memory run;
 * {@code --threads} ({@code auto}: virtual on JDK 21+; {@code platform} to force platform threads),
 * {@code --platform-cap} (most platform threads; default: as many as callers). The local herd also
 * takes {@code --warm-up} (300 herds of up to 200 callers on a 2 ms upstream before the measured
 * ones, 20 s at most per row: {@code --warm-up-seconds}), {@code --rounds} (3 measured herds, pooled) and {@code --rows} (all; or some of
 * {@code none,floor,cacheable_sync,caffeine_async,collapsed,collapser}). The fleet herd takes
 * {@code --instances} (4), {@code --callers} per instance (250), {@code --upstream-ms} (200),
 * {@code --warm-up} (2000 herds of 20 callers per instance on a 2 ms upstream before the measured
 * ones; {@code --warm-up-seconds}, 20, stops a row's warm-up after that long, whatever its count),
 * {@code --rounds} (5 measured herds), {@code --rows} (all; or some of {@code none,floor,
 * cacheable_redis,cacheable_redis_locking,collapsed_redis}) and {@code --redis-server} (the {@code redis-server}
 * binary, started on a free port). The fleet hits ({@code hits}, {@link FleetHits}) take {@code --instances} (4),
 * {@code --threads-per-instance} (1), {@code --keys} (100 warm keys), {@code --seconds} (10 measured, after as
 * many of warm-up), {@code --rows} (all; or some of {@code collapsed_near,collapsed_read_through,collapsed_local,
 * cacheable_redis}) and {@code --redis-server}.
 */
public final class Harness {

	private Harness() {
	}

	public static void main(String[] args) throws Exception {
		String what = "local";
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (arg.startsWith("--") && arg.contains("=")) {
				options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
			}
			else if (!arg.startsWith("--")) {
				what = arg;
			}
			else {
				throw new IllegalArgumentException("options are written --name=value, got " + arg);
			}
		}
		int callers = Integer.parseInt(options.getOrDefault("callers", "10000"));
		Path out = Path.of(options.getOrDefault("out", "collapse-benchmarks/results"));
		String threads = options.getOrDefault("threads", "auto");
		if (!threads.equals("auto") && !threads.equals("platform")) {
			throw new IllegalArgumentException("--threads is auto or platform, got " + threads);
		}
		int platformCap = Integer.parseInt(options.getOrDefault("platform-cap", Integer.toString(Integer.MAX_VALUE)));
		Callers callerThreads = new Callers(threads.equals("auto"), platformCap);
		Duration warmUpBudget = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warm-up-seconds", "20")));
		switch (what) {
			case "local" -> new LocalHerd(callers, Long.parseLong(options.getOrDefault("upstream-ms", "100")), callerThreads,
					Integer.parseInt(options.getOrDefault("warm-up", "300")), warmUpBudget,
					Integer.parseInt(options.getOrDefault("rounds", "3")))
				.rows(rows(HerdRow.Kind.class, options.get("rows")))
				.runAll(out, options.getOrDefault("name", "local-herd"));
			case "memory" -> new MemoryFootprint(callerThreads).runAll(out, options.getOrDefault("name", "memory"));
			case "fleet" -> new FleetHerd(Integer.parseInt(options.getOrDefault("instances", "4")),
					Integer.parseInt(options.getOrDefault("callers", "250")),
					Long.parseLong(options.getOrDefault("upstream-ms", "200")), callerThreads,
					Integer.parseInt(options.getOrDefault("warm-up", "2000")), warmUpBudget,
					Integer.parseInt(options.getOrDefault("rounds", "5")))
				.rows(rows(FleetHerd.Row.class, options.get("rows")))
				.runAll(out, options.getOrDefault("name", "fleet-herd"), options.getOrDefault("redis-server", "redis-server"));
			case "hits" -> new FleetHits(Integer.parseInt(options.getOrDefault("instances", "4")),
					Integer.parseInt(options.getOrDefault("threads-per-instance", "1")),
					Integer.parseInt(options.getOrDefault("keys", "100")),
					Integer.parseInt(options.getOrDefault("seconds", "10")))
				.rows(rows(FleetHits.Row.class, options.get("rows")))
				.runAll(out, options.getOrDefault("name", "fleet-hits"), options.getOrDefault("redis-server", "redis-server"));
			default -> throw new IllegalArgumentException("unknown benchmark '" + what + "': local, memory, fleet or hits");
		}
		// the Spring contexts are closed, but a cache's executor may keep a non-daemon thread
		System.exit(0);
	}

	/** One warm-up herd, numbered from 0. */
	@FunctionalInterface
	interface WarmUpHerd {

		void run(int index) throws InterruptedException;

	}

	/**
	 * Runs up to {@code herds} warm-up herds, and no new one once {@code budget} is spent: a row
	 * whose herds are slow (a poller, pinned virtual threads) warms up less, and says so.
	 * @return how many herds ran
	 */
	static int warmUp(int herds, Duration budget, WarmUpHerd herd) throws InterruptedException {
		long end = System.nanoTime() + budget.toNanos();
		int ran = 0;
		while (ran < herds && System.nanoTime() - end < 0) {
			herd.run(ran++);
		}
		return ran;
	}

	/**
	 * The rows {@code --rows} names, each by its enum name in lower case, in table order; every row
	 * when the option is absent.
	 */
	static <E extends Enum<E>> List<E> rows(Class<E> type, String option) {
		List<E> all = List.of(type.getEnumConstants());
		if (option == null) {
			return all;
		}
		List<String> names = List.of(option.split(","));
		List<E> chosen = all.stream().filter((row) -> names.contains(row.name().toLowerCase(Locale.ROOT))).toList();
		if (chosen.size() != names.size()) {
			throw new IllegalArgumentException("--rows takes " + all.stream()
				.map((row) -> row.name().toLowerCase(Locale.ROOT))
				.collect(Collectors.joining(", ")) + ", separated by commas; got " + option);
		}
		return chosen;
	}

}
