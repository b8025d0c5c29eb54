package dev.collapse.chaos;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream of the soak, one object for the whole fleet (the nodes' JVMs reach it through
 * {@link UpstreamServer}), so that overlapping loads are seen exactly: each load takes the next
 * version of one global counter when it starts, takes 5 to 30 ms, fails now and then, and records
 * every moment where two loads of one key ran at once anywhere in the fleet.
 */
public final class ChaosUpstream implements ChaosService.Source {

	/** The failure a load throws now and then: callers may see it, it is documented. */
	public static final class UpstreamException extends Exception {

		UpstreamException(String message) {
			super(message);
		}

	}

	/** Two or more loads of {@code key} running at once, seen at {@code nanos}. */
	public record Overlap(String key, long nanos, int running) {
	}

	private final AtomicLong versions = new AtomicLong();

	private final AtomicLong loads = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final ConcurrentHashMap<String, AtomicInteger> running = new ConcurrentHashMap<>();

	private final List<Overlap> overlaps = new CopyOnWriteArrayList<>();

	private final double failureRate;

	public ChaosUpstream(double failureRate) {
		this.failureRate = failureRate;
	}

	@Override
	public Versioned load(String node, String key) throws Exception {
		AtomicInteger now = this.running.computeIfAbsent(key, (k) -> new AtomicInteger());
		int concurrent = now.incrementAndGet();
		try {
			if (concurrent > 1) {
				this.overlaps.add(new Overlap(key, System.nanoTime(), concurrent));
			}
			long version = this.versions.incrementAndGet();
			this.loads.incrementAndGet();
			ThreadLocalRandom random = ThreadLocalRandom.current();
			Thread.sleep(5 + random.nextInt(26));
			if (random.nextDouble() < this.failureRate) {
				this.failures.incrementAndGet();
				throw new UpstreamException("upstream failed");
			}
			return new Versioned(key, version, node);
		}
		finally {
			now.decrementAndGet();
		}
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
		return this.running.values().stream().mapToInt(AtomicInteger::get).sum();
	}

}
