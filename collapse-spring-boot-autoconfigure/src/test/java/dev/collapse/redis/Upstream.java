package dev.collapse.redis;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The slow service behind the cache, shared by every application context of a test (they run in
 * one JVM): it counts loads, fleet-wide, and the most that ever ran at once.
 */
public final class Upstream {

	/** What a load does; set by each test. */
	@FunctionalInterface
	public interface Behaviour {

		Object load(String node, Object key) throws Exception;

	}

	private final AtomicInteger loads = new AtomicInteger();

	private final AtomicInteger running = new AtomicInteger();

	private final AtomicInteger maxRunning = new AtomicInteger();

	private final ConcurrentHashMap<String, AtomicInteger> loadsByNode = new ConcurrentHashMap<>();

	private volatile Behaviour behaviour = (node, key) -> new Product(((Number) key).longValue(), "p" + key);

	public void behave(Behaviour behaviour) {
		this.behaviour = behaviour;
	}

	Object load(String node, Object key) throws Exception {
		this.loads.incrementAndGet();
		this.loadsByNode.computeIfAbsent(node, (n) -> new AtomicInteger()).incrementAndGet();
		int now = this.running.incrementAndGet();
		this.maxRunning.accumulateAndGet(now, Math::max);
		try {
			return this.behaviour.load(node, key);
		}
		finally {
			this.running.decrementAndGet();
		}
	}

	public int loads() {
		return this.loads.get();
	}

	public int loads(String node) {
		AtomicInteger count = this.loadsByNode.get(node);
		return (count != null) ? count.get() : 0;
	}

	public int maxRunning() {
		return this.maxRunning.get();
	}

	public int running() {
		return this.running.get();
	}

	public void reset() {
		this.loads.set(0);
		this.maxRunning.set(0);
		this.loadsByNode.clear();
	}

}
