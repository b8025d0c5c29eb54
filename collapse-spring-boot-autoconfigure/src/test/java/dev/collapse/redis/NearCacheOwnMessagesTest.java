package dev.collapse.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.chaos.ChaosProxy;
import dev.collapse.core.RefreshExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The near cache and a node's own messages (docs/redis.md, Near cache): what a node did itself
 * may reach it only through its own message, and the copies it keeps must not outlive that.
 */
class NearCacheOwnMessagesTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/** What the upstream answers now: "v" and this number. */
	private final AtomicInteger version = new AtomicInteger(1);

	/**
	 * Loads take 20 ms: X-Fetch weighs the chance of an early refresh by the load's time, and a
	 * load of a few microseconds (a warm JIT in a full run) made even beta 10^6 roll no refresh.
	 */
	private Upstream upstream() {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> {
			Thread.sleep(20);
			return new Product(((Number) key).longValue(), "v" + this.version.get());
		});
		return upstream;
	}

	/**
	 * Forced state: node A's evictAll ran in Redis but its reply was lost, so A adopted no
	 * generation and dropped no copy; its copy of the old generation's entry is still in its store.
	 * Then A's own G message arrives: it moves A's generation, and must drop the copy with it.
	 */
	@Test
	void itsOwnEvictAllMessageDropsCopiesWhenTheScriptsReplyWasLost() throws Exception {
		try (Fleet a = Fleet.start(1, redis, upstream())) {
			long id = 1;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			InstanceEvictions evictions = a.layer(0).evictions("products");
			long generation = evictions.generation();
			assertThat(generation).isNotNegative();

			// the script's effect in Redis, without its reply reaching A
			String next = "v" + this.version.incrementAndGet();
			String generationKey = RedisKeys.generation(evictions.instancePrefix());
			assertThat(redis.server().cli("INCR", generationKey).trim()).isEqualTo(Long.toString(generation + 1));
			assertThat(a.service(0).find(id).name()).as("A's copy, the reply lost").isEqualTo("v1");

			// A's own message
			a.layer(0).channel()
				.deliver(CompletionMessage.evictedAll(a.layer(0).leases().nodeId(), evictions.instancePrefix())
						+ (generation + 1));
			assertThat(evictions.generation()).isEqualTo(generation + 1);
			assertThat(a.service(0).find(id).name()).as("A once it heard its own evictAll").isEqualTo(next);
		}
	}

	/**
	 * Node A's own early refresh replaces the fleet's entry (v1 by v2) while A's subscription is
	 * stalled (a proxy swallows it, and the stall is not noticed for a minute), so its own completion
	 * message cannot reach it: once the refresh returned, A must not serve its copy of v1.
	 */
	@Test
	void itsOwnEarlyRefreshReplacesItsCopyBeforeItsMessageArrives() throws Exception {
		ExecutorService pool = Executors.newSingleThreadExecutor();
		Semaphore refreshed = new Semaphore(0);
		RefreshExecutor refreshes = RefreshExecutor.of((task) -> pool.execute(() -> {
			try {
				task.run();
			}
			finally {
				refreshed.release();
			}
		}));
		Upstream upstream = upstream();
		try (ChaosProxy proxy = new ChaosProxy(redis.server().port());
				Fleet a = Fleet.start(1,
						() -> new String[] { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + proxy.port() },
						upstream, Map.of("collapseRefreshExecutor", refreshes),
						"collapse.instances.hot.early-refresh.beta=1000000", "collapse.redis.subscription-check=60s")) {
			long id = 1;
			// copies are trusted a moment after the subscription is confirmed: before, the load
			// below keeps no copy, and the next call reads Redis instead of hitting a copy (seen
			// once in a loaded CI run)
			await().atMost(Duration.ofSeconds(10)).until(() -> a.layer(0).near().trusted());
			// loaded here: A keeps a copy, and no refresh is rolled (not a hit)
			assertThat(a.service(0).hot(id).name()).isEqualTo("v1");
			proxy.stallSubscriptions(true);
			this.version.incrementAndGet();
			// a hit of the copy rolls a refresh (beta), which loads v2 into the fleet's entry
			assertThat(a.service(0).hot(id).name()).isEqualTo("v1");
			assertThat(refreshed.tryAcquire(20, TimeUnit.SECONDS)).as("the refresh ran").isTrue();
			assertThat(upstream.loads()).as("the first load and the refresh").isEqualTo(2);
			assertThat(a.layer(0).near().trusted()).as("the stall is not noticed yet").isTrue();

			assertThat(a.service(0).hot(id).name()).as("A once its own refresh returned").isEqualTo("v2");
		}
		finally {
			pool.shutdownNow();
		}
	}

}
