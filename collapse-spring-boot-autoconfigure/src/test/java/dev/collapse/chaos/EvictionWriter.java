package dev.collapse.chaos;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Collapser;
import dev.collapse.redis.RedisDistributedLayer;

/**
 * The writer of one {@link ChaosNode}, beside its callers: every 100 to 400 ms it changes the row
 * of a hot key in the upstream ({@link UpstreamClient#write}), then evicts the key; one time in
 * eight it changes the row of every hot key, then evicts every key. That is what the eviction is
 * for (docs/design.md, Evictions): once it returned on this node, no caller of this node that
 * begins then may get the value of a load that began before the write, whichever node loaded it
 * and whichever way the value came (hit, joined load, Redis entry, message, fallback store).
 *
 * <p>So when an eviction returned, the node's floor of the key (of every key, for
 * {@code evictAll}) becomes the write's version, and each caller takes the floor of its key before
 * its call and {@linkplain #check checks} the value against it. An eviction while Redis is not
 * available before or after it may have been lost in Redis, which is documented (it is logged):
 * it is counted as unconfirmed and raises no floor.
 */
final class EvictionWriter {

	/** The version a caller may not get below, the eviction that set it, and when that returned. */
	record Floor(long version, String eviction, long returnedNanos) {

		static final Floor NONE = new Floor(0, "none", 0);

		Floor higher(Floor other) {
			return (other.version > this.version) ? other : this;
		}

	}

	private final String node;

	private final UpstreamClient upstream;

	private final Collapser collapser;

	private final CollapseRegistry registry;

	private final RedisDistributedLayer layer;

	private final int hotKeys;

	/** Written by the writer's thread only, read by every caller. */
	private final Map<String, Floor> floors = new ConcurrentHashMap<>();

	private volatile Floor everyKey = Floor.NONE;

	private final AtomicLong evictions = new AtomicLong();

	private final AtomicLong evictAlls = new AtomicLong();

	private final AtomicLong unconfirmed = new AtomicLong();

	private final AtomicLong checked = new AtomicLong();

	EvictionWriter(String node, UpstreamClient upstream, Collapser collapser, CollapseRegistry registry,
			RedisDistributedLayer layer, int hotKeys) {
		this.node = node;
		this.upstream = upstream;
		this.collapser = collapser;
		this.registry = registry;
		this.layer = layer;
		this.hotKeys = hotKeys;
	}

	void run(BooleanSupplier stopped) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (!stopped.getAsBoolean()) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100 + random.nextInt(301)));
			if (stopped.getAsBoolean() || this.registry.find(ChaosService.NAME).isEmpty()) {
				// an instance this JVM has not used yet is left alone by evict: nothing to check
				continue;
			}
			try {
				if (random.nextInt(8) == 0) {
					evictAll();
				}
				else {
					evict("hot" + random.nextInt(this.hotKeys));
				}
			}
			catch (Throwable ex) {
				ChaosNode.send("VIOLATION the writer of " + this.node + " failed: " + ex.getClass().getName() + ": "
						+ String.valueOf(ex.getMessage()).replace('\n', ' '));
			}
		}
	}

	private void evict(String key) throws Exception {
		long version = this.upstream.write(key);
		boolean before = this.layer.available();
		long start = System.nanoTime();
		this.collapser.evict(ChaosService.NAME, key);
		long end = System.nanoTime();
		boolean after = this.layer.available();
		ChaosNode.send("EVICTED " + start + " " + end + " " + key);
		this.evictions.incrementAndGet();
		if (before && after) {
			this.floors.merge(key, new Floor(version, "evict(" + key + ")", end), Floor::higher);
		}
		else {
			this.unconfirmed.incrementAndGet();
		}
	}

	private void evictAll() throws Exception {
		long version = 0;
		for (int i = 0; i < this.hotKeys; i++) {
			version = Math.max(version, this.upstream.write("hot" + i));
		}
		boolean before = this.layer.available();
		long start = System.nanoTime();
		this.collapser.evictAll(ChaosService.NAME);
		long end = System.nanoTime();
		boolean after = this.layer.available();
		ChaosNode.send("EVICTED " + start + " " + end + " *");
		this.evictAlls.incrementAndGet();
		if (before && after) {
			// the counter is global: a load of any key, cold ones too, that began before the last
			// write has a smaller version, and evictAll is for every key
			this.everyKey = this.everyKey.higher(new Floor(version, "evictAll()", end));
		}
		else {
			this.unconfirmed.incrementAndGet();
		}
	}

	/** The floor of {@code key} now: taken by a caller before its call begins. */
	Floor floor(String key) {
		return this.floors.getOrDefault(key, Floor.NONE).higher(this.everyKey);
	}

	/**
	 * Checks a value against the floor its caller took before the call began.
	 * @param result how the call was counted ({@code hit}, {@code leader}...)
	 * @param how whether Redis was available around the call
	 */
	void check(Floor floor, Versioned value, long callStart, String result, String how) {
		if (floor.version() == 0) {
			return;
		}
		this.checked.incrementAndGet();
		if (value.version() < floor.version()) {
			ChaosNode.send("VIOLATION stale value after an eviction: a caller of " + this.node + " got " + value.key()
					+ " version " + value.version() + " (loaded by " + value.node() + ", result " + result
					+ ") though version " + floor.version() + " was written and " + floor.eviction() + " had returned "
					+ TimeUnit.NANOSECONDS.toMillis(callStart - floor.returnedNanos()) + " ms before the call began; " + how);
		}
	}

	void appendStats(StringBuilder line) {
		line.append(" evictions=").append(this.evictions.get())
			.append(" evictAlls=").append(this.evictAlls.get())
			.append(" unconfirmed=").append(this.unconfirmed.get())
			.append(" checked=").append(this.checked.get());
	}

}
