package dev.collapse.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5's Redis half: stale-if-error across nodes (the entry outlives its ttl in Redis by the
 * window), and early refreshes that never run twice at once for one key in the fleet. Each test
 * has a fleet and an upstream of its own, so that background refreshes of one never count in the
 * other.
 */
class RedisRefreshAndStaleTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final long TTL_MILLIS = 300;

	private static final long STALE_MILLIS = 3_000;

	@Test
	void staleIfErrorServesAnotherNodesExpiredEntryWithinItsWindowAndTheFailureAfterwards() throws Exception {
		Upstream upstream = new Upstream();
		try (Fleet fleet = Fleet.start(2, redis, upstream, "collapse.instances.shortlived.stale-if-error=3s",
				"collapse.instances.shortlived.early-refresh.beta=0")) {
			long id = 1;
			String entry = entryKey(fleet, "shortlived", id);
			String lock = RedisKeys.lock(entry);
			assertThat(fleet.service(0).shortLived(id).name()).isEqualTo("p1");
			// jitter 0: only the stale-if-error window can take the physical TTL beyond the ttl
			long pttl = Long.parseLong(cli("PTTL", entry));
			assertThat(pttl).as("PTTL right after the load")
				.isGreaterThan(TTL_MILLIS + STALE_MILLIS / 2)
				.isLessThanOrEqualTo(TTL_MILLIS + STALE_MILLIS);
			String stored = cli("GET", entry);
			long expiresAt = RedisEntry.decode(stored).expiresAt();
			await().atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> System.currentTimeMillis() > expiresAt);

			upstream.behave((node, key) -> {
				throw new IOException("upstream down");
			});
			// node 1 never loaded the key: the expired entry it serves comes from Redis
			assertThat(fleet.service(1).shortLived(id).name()).isEqualTo("p1");
			assertThat(fleet.calls(1, CallResult.STALE)).isEqualTo(1);
			assertThat(fleet.events(1, "load:error")).isEqualTo(1);
			assertThat(upstream.loads()).isEqualTo(2);
			// the failure is not stored, nor the old value again: the entry is the first load's
			assertThat(cli("GET", entry)).isEqualTo(stored);
			assertThat(cli("EXISTS", lock)).isEqualTo("0");
			// the next caller loads again, and is served stale again
			assertThat(fleet.service(0).shortLived(id).name()).isEqualTo("p1");
			assertThat(fleet.calls(0, CallResult.STALE)).isEqualTo(1);
			assertThat(upstream.loads()).isEqualTo(3);

			// beyond the window Redis has dropped the entry: the caller gets the load's exception
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> cli("EXISTS", entry).equals("0"));
			assertThat(System.currentTimeMillis() - expiresAt).isGreaterThanOrEqualTo(STALE_MILLIS);
			assertThatThrownBy(() -> fleet.service(1).shortLived(id)).isInstanceOf(IOException.class)
				.hasMessage("upstream down");
			assertThat(fleet.calls(1, CallResult.STALE)).isEqualTo(1);
			assertThat(upstream.loads()).isEqualTo(4);
			assertThat(cli("EXISTS", entry, lock)).isEqualTo("0");
		}
	}

	@Test
	void twoNodesNeverRefreshTheSameKeyAtOnce() throws Exception {
		Upstream upstream = slowUpstream();
		try (Fleet fleet = hotFleet(upstream)) {
			HotHerd herd = HotHerd.run(fleet, HOT_ID);
			assertThat(herd.generations()).doesNotContainNull();
			assertThat(upstream.maxRunning()).as("loads of the key running at once, fleet-wide").isEqualTo(1);
			assertThat(upstream.loads()).as("loads: the first and at least one early refresh").isGreaterThanOrEqualTo(2);
			assertThat(herd.generations()).as("callers saw refreshed values").hasSizeGreaterThanOrEqualTo(2);
			// the entry stayed fresh in Redis throughout: no caller missed it
			for (int node = 0; node < 2; node++) {
				assertThat(herd.results(node)).as("calls of node %d by result", node)
					.doesNotContainKeys(CallResult.LEADER, CallResult.REMOTE, CallResult.STALE, CallResult.FALLBACK);
				assertThat(herd.results(node).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(herd.calls(node));
			}
		}
		// background refreshes included, until the fleet stopped
		assertThat(upstream.maxRunning()).isEqualTo(1);
	}

	/**
	 * Issue 5: "no caller ever waits on a load once the entry is warm". Regression: with Redis on,
	 * every call goes through the node's single-flight, and a caller that arrived while its node
	 * ran an early refresh attached to the refresh's flight and waited for the load, counted
	 * {@code follower}, instead of getting the current, still fresh value from Redis.
	 */
	@Test
	void callersOfANodeThatRefreshesEarlyKeepGettingHitsWhileItLoads() throws Exception {
		Upstream upstream = slowUpstream();
		try (Fleet fleet = hotFleet(upstream)) {
			HotHerd herd = HotHerd.run(fleet, HOT_ID);
			assertThat(upstream.loads()).isGreaterThanOrEqualTo(2);
			for (int node = 0; node < 2; node++) {
				assertThat(herd.results(node)).as("calls of node %d by result", node)
					.isEqualTo(Map.of(CallResult.HIT, herd.calls(node)));
			}
		}
	}

	private static final long HOT_ID = 7;

	/** Loads take ~30 ms, so that refreshes rolled on both nodes would overlap if nothing stopped them. */
	private static Upstream slowUpstream() {
		Upstream upstream = new Upstream();
		AtomicInteger generation = new AtomicInteger();
		upstream.behave((node, key) -> {
			Thread.sleep(30);
			return new Product(((Number) key).longValue(), "generation " + generation.incrementAndGet());
		});
		return upstream;
	}

	/** Beta 10^6 with a load of ~30 ms: nearly every hit of the 1-minute entry rolls an early refresh. */
	private static Fleet hotFleet(Upstream upstream) {
		return Fleet.start(2, redis, upstream, "collapse.instances.hot.early-refresh.beta=1000000");
	}

	/**
	 * 2 × 20 callers released together, each calling the warm key at least 150 times and until it
	 * saw a refreshed value, within 1.5 s.
	 * @param seen the names each caller got, callers of node 0 first
	 * @param results per node, the calls counted by result during the herd
	 */
	private record HotHerd(List<List<String>> seen, List<Map<CallResult, Long>> results) {

		static final int PER_NODE = 20;

		static HotHerd run(Fleet fleet, long id) throws Exception {
			assertThat(fleet.service(0).hot(id).name()).isEqualTo("generation 1");
			List<Map<CallResult, Long>> before = List.of(counts(fleet, 0), counts(fleet, 1));
			long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
			CountDownLatch arrived = new CountDownLatch(2 * PER_NODE);
			List<Future<List<String>>> callers = Herd.run(2, PER_NODE, arrived, (node) -> () -> {
				List<String> seen = new ArrayList<>();
				// at least 150 calls, then on until this caller saw a refreshed value: a near hit
				// takes microseconds, so 150 of them can end before a 30 ms refresh does
				boolean refreshed = false;
				for (int i = 0; (i < 150 || !refreshed) && System.nanoTime() - deadline < 0; i++) {
					Product product = fleet.service(node).hot(id);
					seen.add((product != null) ? product.name() : null);
					refreshed |= (product != null) && !product.name().equals("generation 1");
				}
				return seen;
			});
			List<List<String>> seen = Herd.values(callers, 30);
			return new HotHerd(seen,
					List.of(delta(before.get(0), counts(fleet, 0)), delta(before.get(1), counts(fleet, 1))));
		}

		Set<String> generations() {
			Set<String> generations = new HashSet<>();
			this.seen.forEach(generations::addAll);
			return generations;
		}

		Map<CallResult, Long> results(int node) {
			return this.results.get(node);
		}

		long calls(int node) {
			return this.seen.subList(node * PER_NODE, (node + 1) * PER_NODE).stream().mapToLong(List::size).sum();
		}

	}

	private static Map<CallResult, Long> counts(Fleet fleet, int node) {
		Map<CallResult, Long> counts = new EnumMap<>(CallResult.class);
		for (CallResult result : CallResult.values()) {
			counts.put(result, fleet.calls(node, result));
		}
		return counts;
	}

	/** The results whose count changed, with how much. */
	private static Map<CallResult, Long> delta(Map<CallResult, Long> before, Map<CallResult, Long> after) {
		Map<CallResult, Long> delta = new EnumMap<>(CallResult.class);
		after.forEach((result, count) -> {
			long change = count - before.get(result);
			if (change != 0) {
				delta.put(result, change);
			}
		});
		return delta;
	}

	private static String entryKey(Fleet fleet, String instance, Object key) {
		RedisKeys keys = new RedisKeys(fleet.prefix, new KeyEncoding(List.of()));
		return keys.entry(keys.instancePrefix(instance), key);
	}

	private static String cli(String... args) {
		return redis.server().cli(args).trim();
	}

}
