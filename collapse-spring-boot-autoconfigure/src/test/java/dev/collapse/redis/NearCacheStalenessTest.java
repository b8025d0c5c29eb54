package dev.collapse.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures the near cache's staleness bound (docs/redis.md, Near cache): after {@code evict()}
 * returns on node A, how long nodes B, C and D go on serving their old copy. Four nodes, many
 * rounds, the evicting node rotating; the other three spin on the key from the moment the
 * eviction returned, and the delay until the first call that gets the new value begins is
 * recorded. Prints p50, p99 and max; asserts only that every node gets the new value.
 * {@code -Dnear.rounds=N} for a longer run.
 */
class NearCacheStalenessTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final int NODES = 4;

	@Test
	void howLongOtherNodesServeTheOldCopyAfterAnEvictionReturns() throws Exception {
		int rounds = Integer.getInteger("near.rounds", 100);
		AtomicInteger version = new AtomicInteger(1);
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v" + version.get()));
		List<Long> delays = Collections.synchronizedList(new ArrayList<>());
		try (Fleet fleet = Fleet.start(NODES, redis, upstream, "collapse.redis.command-timeout=2s")) {
			long id = 1;
			for (int round = 0; round < rounds; round++) {
				String old = "v" + version.get();
				for (int node = 0; node < NODES; node++) {
					// twice: the second call is served by the node's copy
					assertThat(fleet.service(node).find(id).name()).isEqualTo(old);
					assertThat(fleet.service(node).find(id).name()).isEqualTo(old);
				}
				int evicting = round % NODES;
				String next = "v" + version.incrementAndGet();
				CountDownLatch evicted = new CountDownLatch(1);
				long[] returned = new long[1];
				List<Future<Long>> readers = Herd.run(NODES, 1, new CountDownLatch(NODES), (node) -> () -> {
					if (node == evicting) {
						fleet.registry(node).instance("products").evict(id);
						returned[0] = System.nanoTime();
						evicted.countDown();
						return -1L;
					}
					evicted.await(10, TimeUnit.SECONDS);
					long deadline = returned[0] + TimeUnit.SECONDS.toNanos(10);
					while (System.nanoTime() - deadline < 0) {
						long start = System.nanoTime();
						if (fleet.service(node).find(id).name().equals(next)) {
							return Math.max(0, start - returned[0]);
						}
					}
					return Long.MAX_VALUE;
				});
				for (long delay : Herd.values(readers, 30)) {
					if (delay >= 0) {
						assertThat(delay).as("a node got the new value within 10 s").isLessThan(Long.MAX_VALUE);
						delays.add(delay);
					}
				}
			}
		}
		List<Long> sorted = new ArrayList<>(delays);
		Collections.sort(sorted);
		System.out.printf("near cache staleness after evict() returned, %d rounds x %d nodes: p50 %,d us, "
				+ "p90 %,d us, p99 %,d us, max %,d us%n", rounds, NODES - 1, micros(sorted, 0.50), micros(sorted, 0.90),
				micros(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000);
	}

	private static long micros(List<Long> sorted, double quantile) {
		int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
		return sorted.get(Math.max(0, index)) / 1000;
	}

}
