package dev.collapse.chaos;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream of the soak, one object for the whole fleet (the nodes' JVMs reach it through
 * {@link UpstreamServer}), so that overlapping loads are seen exactly: each load takes the next
 * version of one global counter when it starts, takes 5 to 30 ms, fails now and then, and records
 * every moment where two loads of one key ran at once anywhere in the fleet. A {@link #write}
 * takes the next version too: it stands for "the row changed now", so a load that began before
 * it has a smaller version than the write, and a load that begins after it a greater one.
 */
public final class ChaosUpstream implements ChaosService.Source {

	/** The failure a load throws now and then: callers may see it, it is documented. */
	public static final class UpstreamException extends Exception {

		UpstreamException(String message) {
			super(message);
		}

	}

	/**
	 * Two or more loads of {@code key} running at once, seen when the last of them started, at
	 * {@code nanos}; {@code previousStart} is when the latest of the others started.
	 */
	public record Overlap(String key, long nanos, int running, long previousStart) {
	}

	private record Running(long id, long start) {
	}

	private final AtomicLong versions = new AtomicLong();

	private final AtomicLong loads = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong writes = new AtomicLong();

	private final ConcurrentHashMap<String, Set<Running>> running = new ConcurrentHashMap<>();

	private final List<Overlap> overlaps = new CopyOnWriteArrayList<>();

	private final double failureRate;

	public ChaosUpstream(double failureRate) {
		this.failureRate = failureRate;
	}

	@Override
	public Versioned load(String node, String key) throws Exception {
		return load(node, key, System.nanoTime());
	}

	/**
	 * A load that its node began at {@code start} ({@link System#nanoTime()}, one clock for the
	 * machine's processes): the moment the overlaps are timed by, closer to the lease taken before
	 * it than the request's arrival here.
	 */
	Versioned load(String node, String key, long start) throws Exception {
		Set<Running> now = this.running.computeIfAbsent(key, (k) -> ConcurrentHashMap.newKeySet());
		Running load = new Running(this.loads.incrementAndGet(), start);
		now.add(load);
		try {
			if (now.size() > 1) {
				long previous = now.stream().filter((other) -> other != load).mapToLong(Running::start).max().orElse(load.start());
				this.overlaps.add(new Overlap(key, load.start(), now.size(), previous));
			}
			long version = this.versions.incrementAndGet();
			ThreadLocalRandom random = ThreadLocalRandom.current();
			Thread.sleep(5 + random.nextInt(26));
			if (random.nextDouble() < this.failureRate) {
				this.failures.incrementAndGet();
				throw new UpstreamException("upstream failed");
			}
			return new Versioned(key, version, node);
		}
		finally {
			now.remove(load);
		}
	}

	/** The row of {@code key} changed now: its version, which no load ever takes. */
	public long write(String key) {
		this.writes.incrementAndGet();
		return this.versions.incrementAndGet();
	}

	public long writes() {
		return this.writes.get();
	}

	public long loads() {
		return this.loads.get();
	}

	public long failures() {
		return this.failures.get();
	}

	public List<Overlap> overlaps() {
		return this.overlaps;
	}

	public int runningNow() {
		return this.running.values().stream().mapToInt(Set::size).sum();
	}

}
