package dev.collapse.redis;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What warm hits cost in Redis commands, counted by Redis itself ({@code INFO commandstats}): four
 * nodes, one warm key. With the near cache (the default) a warm hit is served from the node's copy
 * and costs no command; without it, every hit is a {@code GET}. The printed count is the
 * measurement (docs/performance.md, "The hit path with Redis on").
 */
class RedisCommandsPerHitTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final int NODES = 4;

	private static final int HITS_PER_NODE = 10_000;

	private static final long KEY = 15L;

	@Test
	void warmHitsOfTheNearCacheCostNoRedisCommand() throws Exception {
		long commands = warmHits();
		assertThat(commands).as("Redis commands for %d warm hits", NODES * HITS_PER_NODE).isZero();
	}

	@Test
	void withoutTheNearCacheEveryWarmHitReadsRedis() throws Exception {
		long commands = warmHits("collapse.redis.near-cache.enabled=false");
		assertThat(commands).as("Redis commands for %d warm hits", NODES * HITS_PER_NODE)
			.isGreaterThanOrEqualTo(NODES * HITS_PER_NODE);
	}

	/** Warms one key on every node, then counts the Redis commands of {@link #HITS_PER_NODE} hits per node. */
	private long warmHits(String... properties) throws Exception {
		Upstream upstream = new Upstream();
		// no subscription PING during the count: what is counted is the hits' own commands; and a
		// command timeout a CPU-starved test JVM cannot reach, so no hit falls back and loads
		String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("collapse.redis.subscription-check=1h",
				"collapse.redis.command-timeout=2s"), java.util.stream.Stream.of(properties)).toArray(String[]::new);
		try (Fleet fleet = Fleet.start(NODES, redis, upstream, all)) {
			for (int node = 0; node < NODES; node++) {
				fleet.service(node).find(KEY);
			}
			assertThat(upstream.loads()).as("the warm-up loads the key once for the fleet").isEqualTo(1);
			// the warm-up's own completion messages reached every node: the copies stay
			await().atMost(java.time.Duration.ofSeconds(10)).until(() -> fleet.layer(NODES - 1).waiting() == 0);
			long[] hitsBefore = hits(fleet);
			Map<String, Long> before = commandCalls(redis.server());

			List<Integer> answered = Herd.values(Herd.run(NODES, 1, new CountDownLatch(NODES), (node) -> () -> {
				for (int i = 0; i < HITS_PER_NODE; i++) {
					fleet.service(node).find(KEY);
				}
				return HITS_PER_NODE;
			}), 120);

			Map<String, Long> spent = minus(commandCalls(redis.server()), before);
			long commands = spent.values().stream().mapToLong(Long::longValue).sum();
			int calls = answered.stream().mapToInt(Integer::intValue).sum();
			System.out.printf("Redis commands for %,d warm hits on %d nodes: %,d (%.3f per hit) %s%n", calls, NODES,
					commands, (double) commands / calls, spent);
			assertThat(upstream.loads()).as("no load after the warm-up").isEqualTo(1);
			for (int node = 0; node < NODES; node++) {
				assertThat(fleet.calls(node, CallResult.HIT) - hitsBefore[node]).as("hits of node %d", node)
					.isEqualTo(HITS_PER_NODE);
			}
			return commands;
		}
	}

	private static long[] hits(Fleet fleet) {
		long[] hits = new long[NODES];
		for (int node = 0; node < NODES; node++) {
			hits[node] = fleet.calls(node, CallResult.HIT);
		}
		return hits;
	}

	/**
	 * Calls per command since the server started, from {@code INFO commandstats}, without
	 * {@code INFO} itself (the count's own reads).
	 */
	static Map<String, Long> commandCalls(RedisServer server) {
		Map<String, Long> calls = new TreeMap<>();
		for (String line : server.cli("INFO", "commandstats").split("\r?\n")) {
			if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
				continue;
			}
			String command = line.substring("cmdstat_".length(), line.indexOf(':'));
			String count = line.substring(line.indexOf("calls=") + "calls=".length());
			calls.put(command, Long.parseLong(count.substring(0, count.indexOf(','))));
		}
		return calls;
	}

	private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
		Map<String, Long> spent = new TreeMap<>();
		after.forEach((command, calls) -> {
			long delta = calls - before.getOrDefault(command, 0L);
			if (delta > 0) {
				spent.put(command, delta);
			}
		});
		return spent;
	}

}
