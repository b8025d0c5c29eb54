package dev.collapse.benchmarks.herd;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local herd: {@code callers} callers of one JVM ask for one key at the same moment (released
 * together by a latch), the upstream takes {@code upstreamMillis}, and each row puts a different
 * cache in front of it. Rows run one after the other in one JVM, each in a fresh application, each
 * after a small warm-up herd on another key so that class loading and the first compilations are
 * not charged to the measured herd.
 *
 * <p>CPU is measured two ways. Process CPU time
 * ({@code com.sun.management.OperatingSystemMXBean.getProcessCpuTime()}) over the herd, from the
 * release to the last answer, minus what the same process burnt while idle over the same length of
 * time just before (the callers parked at the latch): it covers every thread, including a cache's
 * own executor and the JIT/GC, so it is an upper bound of what waiting costs. On platform threads
 * each caller also reads its own thread's CPU time around the call ({@code ThreadMXBean}); the sum
 * is what the callers themselves spent inside the cache, waiting included. A design that waits by
 * spinning or polling shows up in both; one that parks shows almost nothing.
 */
public final class LocalHerd {

	private static final String EXPECTED_VALUE = "value-hot";

	private static final int WARM_UP_CALLERS = 200;

	private final int callers;

	private final long upstreamMillis;

	private final Callers threads;

	private final int warmUps;

	/** Most time a row spends warming up (the herds of {@code @Cacheable(sync)} pin virtual threads). */
	private final Duration warmUpBudget;

	private final int rounds;

	private List<HerdRow.Kind> rows = List.of(HerdRow.Kind.values());

	private final ThreadMXBean threadMx = ManagementFactory.getThreadMXBean();

	private final com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
		.getOperatingSystemMXBean();

	LocalHerd(int callers, long upstreamMillis, Callers threads, int warmUps, Duration warmUpBudget, int rounds) {
		if (callers < 1 || upstreamMillis < 0 || warmUps < 0 || rounds < 1 || warmUpBudget.isNegative()) {
			throw new IllegalArgumentException("callers and rounds must be at least 1, upstream-ms, warm-up and "
					+ "warm-up-seconds at least 0; got " + callers + ", " + rounds + ", " + upstreamMillis + ", " + warmUps
					+ " and " + warmUpBudget.toSeconds());
		}
		this.warmUpBudget = warmUpBudget;
		this.callers = callers;
		this.upstreamMillis = upstreamMillis;
		this.threads = threads;
		this.warmUps = warmUps;
		this.rounds = rounds;
	}

	/** Runs only {@code rows}, in table order. */
	LocalHerd rows(List<HerdRow.Kind> rows) {
		this.rows = rows;
		return this;
	}

	/** Runs every row, prints the table and writes {@code name}.csv and {@code name}.png into {@code out}. */
	List<HerdResult> runAll(Path out, String name) throws InterruptedException {
		List<HerdResult> results = new ArrayList<>();
		for (HerdRow.Kind kind : this.rows) {
			results.add(run(kind));
		}
		String setup = String.format(Locale.ROOT, "%,d callers, one key, upstream %d ms, %d herds after up to %d warm-up herds (%d s at most), %s, JDK %s",
				this.callers, this.upstreamMillis, this.rounds, this.warmUps, this.warmUpBudget.toSeconds(),
				this.threads.describe(this.callers),
				Runtime.version());
		System.out.println();
		System.out.println("Local herd: " + setup);
		System.out.println(table(results));
		Csv.write(out.resolve(name + ".csv"), HerdResult.CSV_HEADER, results.stream().map(HerdResult::csv).toList());
		List<String> rows = results.stream().map(HerdResult::row).toList();
		BarChart.write(out.resolve(name + ".png"), "Local herd: " + setup, rows,
				List.of(new BarChart.Panel("caller p99 (ms)", values(results, HerdResult::p99Millis), false),
						new BarChart.Panel("upstream loads (log scale)", values(results, (r) -> r.loads()), true),
						new BarChart.Panel("process CPU during the herd (ms)",
								values(results, HerdResult::processCpuMillis), false)));
		System.out.println("wrote " + out.resolve(name + ".csv") + " and " + out.resolve(name + ".png"));
		return results;
	}

	HerdResult run(HerdRow.Kind kind) throws InterruptedException {
		try (HerdRow row = kind.create(this.upstreamMillis)) {
			// warm-up herds on other keys, with a short upstream: class loading and the JIT's
			// compilations of the row's paths are not charged to the measured herds
			row.upstream().delayMillis(FleetHerd.WARM_UP_UPSTREAM_MILLIS);
			int warmUps = Harness.warmUp(this.warmUps, this.warmUpBudget,
					(i) -> herd(row, "warm-up-" + i, Math.min(this.callers, WARM_UP_CALLERS), false));
			row.upstream().delayMillis(this.upstreamMillis);
			List<Measured> herds = new ArrayList<>();
			for (int i = 0; i < this.rounds; i++) {
				System.gc();
				herds.add(herd(row, "hot-" + i, this.callers, true));
			}
			return pool(warmUps, herds);
		}
	}

	/** One herd's result, with every caller's latency and every joined caller's wake-up (ns). */
	private record Measured(HerdResult result, long[] latencies, long[] wakes) {
	}

	/**
	 * The measured herds of a row together: loads of the worst herd, percentiles over every caller
	 * of every herd, median wall time, mean CPU.
	 */
	private static HerdResult pool(int warmUps, List<Measured> herds) {
		List<HerdResult> results = herds.stream().map(Measured::result).toList();
		long[] latencies = herds.stream().flatMapToLong((h) -> Arrays.stream(h.latencies())).sorted().toArray();
		boolean oneLoadEach = results.stream().allMatch((r) -> r.joined() >= 0);
		long[] wakes = herds.stream().flatMapToLong((h) -> Arrays.stream(h.wakes())).sorted().toArray();
		double[] walls = results.stream().mapToDouble(HerdResult::wallMillis).sorted().toArray();
		boolean callerCpu = results.stream().allMatch((r) -> r.callerCpuMillis() >= 0);
		HerdResult first = results.get(0);
		return new HerdResult(first.row(), warmUps, first.callers(), results.stream().mapToInt(HerdResult::loads).max().orElse(0),
				results.stream().mapToInt(HerdResult::errors).sum(), walls[(walls.length - 1) / 2],
				millis(percentile(latencies, 50)), millis(percentile(latencies, 99)), millis(latencies[latencies.length - 1]),
				oneLoadEach ? wakes.length / herds.size() : -1,
				(oneLoadEach && wakes.length > 0) ? millis(percentile(wakes, 50)) : Double.NaN,
				(oneLoadEach && wakes.length > 0) ? millis(percentile(wakes, 99)) : Double.NaN,
				results.stream().mapToDouble(HerdResult::processCpuMillis).average().orElse(0),
				callerCpu ? results.stream().mapToDouble(HerdResult::callerCpuMillis).average().orElse(0) : -1);
	}

	/**
	 * @param measured whether the herd's CPU is reported: only then is the idle process's CPU
	 * measured first, over 200 ms that a warm-up herd need not wait out
	 */
	private Measured herd(HerdRow row, String key, int size, boolean measured) throws InterruptedException {
		String expected = "value-" + key;
		int loadsBefore = row.upstream().loads();
		CountDownLatch ready = new CountDownLatch(this.threads.concurrent(size));
		CountDownLatch gate = new CountDownLatch(1);
		CountDownLatch done = new CountDownLatch(size);
		// each slot written by its caller before done.countDown(), read only after done.await()
		long[] started = new long[size];
		long[] finished = new long[size];
		long[] callerCpu = new long[size];
		AtomicInteger errors = new AtomicInteger();
		ExecutorService executor = this.threads.executor(size);
		try {
			for (int i = 0; i < size; i++) {
				int caller = i;
				executor.execute(() -> {
					ready.countDown();
					awaitUninterruptibly(gate);
					long cpuBefore = currentThreadCpu();
					started[caller] = System.nanoTime();
					try {
						if (!expected.equals(row.call(key))) {
							errors.incrementAndGet();
						}
					}
					catch (Throwable ex) {
						errors.incrementAndGet();
					}
					finally {
						finished[caller] = System.nanoTime();
						long cpuAfter = currentThreadCpu();
						callerCpu[caller] = (cpuBefore < 0 || cpuAfter < 0) ? -1 : cpuAfter - cpuBefore;
						done.countDown();
					}
				});
			}
			if (!ready.await(2, TimeUnit.MINUTES)) {
				throw new IllegalStateException("the callers of " + row.name() + " did not start within 2 minutes");
			}
			double idleCpuPerNano = measured ? idleCpuPerNano() : 0;
			long cpuStart = this.os.getProcessCpuTime();
			long start = System.nanoTime();
			gate.countDown();
			if (!done.await(this.upstreamMillis * 20 + 120_000, TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException(row.name() + ": " + done.getCount() + " callers never got an answer");
			}
			long end = System.nanoTime();
			long cpu = this.os.getProcessCpuTime() - cpuStart;
			int loads = row.upstream().loads() - loadsBefore;
			long[] latencies = new long[size];
			long callerCpuSum = 0;
			for (int i = 0; i < size; i++) {
				latencies[i] = finished[i] - started[i];
				callerCpuSum = (callerCpu[i] < 0 || callerCpuSum < 0) ? -1 : callerCpuSum + callerCpu[i];
			}
			Arrays.sort(latencies);
			int joined = -1;
			double wakeP50 = Double.NaN;
			double wakeP99 = Double.NaN;
			long[] wakes = new long[0];
			if (loads == 1) {
				long loadEnd = row.upstream().lastLoadEnd();
				wakes = new long[size];
				joined = 0;
				for (int i = 0; i < size; i++) {
					if (started[i] < loadEnd) {
						wakes[joined++] = finished[i] - loadEnd;
					}
				}
				wakes = Arrays.copyOf(wakes, joined);
				Arrays.sort(wakes);
				wakeP50 = millis(percentile(wakes, 50));
				wakeP99 = millis(percentile(wakes, 99));
			}
			double processCpu = cpu - idleCpuPerNano * (end - start);
			return new Measured(new HerdResult(row.name(), 0, size, loads, errors.get(), millis(end - start),
					millis(percentile(latencies, 50)), millis(percentile(latencies, 99)), millis(latencies[size - 1]),
					joined, wakeP50, wakeP99, processCpu / 1e6, callerCpuSum < 0 ? -1 : millis(callerCpuSum)), latencies,
					wakes);
		}
		finally {
			executor.shutdownNow();
			executor.awaitTermination(1, TimeUnit.MINUTES);
		}
	}

	/** CPU the process burns per nanosecond while the callers wait at the gate: the baseline. */
	private double idleCpuPerNano() throws InterruptedException {
		long cpu = this.os.getProcessCpuTime();
		long start = System.nanoTime();
		Thread.sleep(200);
		return (double) (this.os.getProcessCpuTime() - cpu) / (System.nanoTime() - start);
	}

	private long currentThreadCpu() {
		try {
			return this.threadMx.isCurrentThreadCpuTimeSupported() ? this.threadMx.getCurrentThreadCpuTime() : -1;
		}
		catch (UnsupportedOperationException ex) {
			return -1;
		}
	}

	/** Nearest rank: the smallest latency that at least {@code percent} % of the callers did not exceed. */
	static long percentile(long[] sorted, int percent) {
		int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
		return sorted[Math.max(0, rank - 1)];
	}

	private static double millis(long nanos) {
		return nanos / 1e6;
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (true) {
			try {
				latch.await();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	static double[] values(List<HerdResult> results, java.util.function.ToDoubleFunction<HerdResult> metric) {
		return results.stream().mapToDouble(metric).toArray();
	}

	static String table(List<HerdResult> results) {
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "%-20s %7s %7s %6s %6s %8s %8s %8s %8s %7s %8s %8s %9s %9s%n", "row",
				"warm-up", "callers", "loads", "errors", "wall ms", "p50 ms", "p99 ms", "max ms", "joined", "wake p50",
				"wake p99", "proc CPU", "call CPU"));
		for (HerdResult r : results) {
			table.append(String.format(Locale.ROOT, "%-20s %7d %7d %6d %6d %8.1f %8.1f %8.1f %8.1f %7s %8s %8s %9.1f %9s%n",
					r.row(), r.warmUps(), r.callers(), r.loads(), r.errors(), r.wallMillis(), r.p50Millis(), r.p99Millis(),
					r.maxMillis(), r.joined() < 0 ? "-" : Integer.toString(r.joined()), orDash(r.wakeP50Millis()),
					orDash(r.wakeP99Millis()), r.processCpuMillis(),
					r.callerCpuMillis() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", r.callerCpuMillis())));
		}
		table.append("(ms; warm-up = herds run before the measured ones; loads = most in one herd; wall = median herd; p50/p99/max over every caller of every herd; "
				+ "joined = per herd; wake = from the end of the one load to a joined caller's answer; CPU = mean per herd; "
				+ "proc CPU = process CPU during the herd minus idle; call CPU = callers' own thread CPU inside the call)\n");
		return table.toString();
	}

	private static String orDash(double millis) {
		return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.1f", millis);
	}

}
