package dev.collapse.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.chaos.ChaosProxy;
import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The near cache (docs/redis.md, Near cache): copies of the fleet's entries in each node's local
 * store, served without a Redis command, dropped by the messages of the subscription, and never
 * trusted while the subscription may miss one.
 */
class NearCacheTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	final Callers callers = new Callers();

	private static final Duration SOON = Duration.ofSeconds(10);

	/** What the upstream answers now: "v" and this number, bumped by the test's writes. */
	private final AtomicInteger version = new AtomicInteger(1);

	private Upstream upstream() {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v" + this.version.get()));
		return upstream;
	}

	/** A write: the upstream answers the next version, and {@code node} evicts the key. */
	private String write(Fleet fleet, int node, long id) {
		String next = "v" + this.version.incrementAndGet();
		fleet.registry(node).instance("products").evict(id);
		return next;
	}

	@Test
	void anEvictionOnOneNodeIsSeenByAllFour() throws Exception {
		try (Fleet fleet = Fleet.start(4, redis, upstream())) {
			long id = 1;
			warm(fleet, id, "v1");
			String next = write(fleet, 2, id);
			// node 0 first: until it gets the new value, nobody loads it, so no completion message helps
			for (int node = 0; node < 4; node++) {
				int n = node;
				await().atMost(SOON).until(() -> fleet.service(n).find(id).name().equals(next));
			}
			assertThat(fleet.events(0, "copyInvalidated")).as("copies dropped by a message on node 0").isOne();
			// and served as copies again
			long hits = fleet.calls(3, CallResult.HIT);
			long gets = gets();
			for (int node = 0; node < 4; node++) {
				assertThat(fleet.service(node).find(id).name()).isEqualTo(next);
			}
			assertThat(gets()).as("GETs for warm hits").isEqualTo(gets);
			assertThat(fleet.calls(3, CallResult.HIT)).isEqualTo(hits + 1);
		}
	}

	@Test
	void asynchronousCallsKeepAndServeCopiesToo() throws Exception {
		try (Fleet fleet = Fleet.start(2, redis, upstream())) {
			long id = 8;
			// twice: an asynchronous caller's first call, on a thread that must not block, does not
			// read the instance's generation for a copy; its call in the fleet does
			for (int round = 0; round < 2; round++) {
				for (int node = 0; node < 2; node++) {
					assertThat(fleet.service(node).future(id).get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");
				}
			}
			// then a round of warm asynchronous hits costs no GET (a round more if a message of the
			// warm-up overtook a read and refused its copy, as a loaded machine once showed)
			await().atMost(SOON).until(() -> {
				long gets = gets();
				for (int node = 0; node < 2; node++) {
					assertThat(fleet.service(node).future(id).get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");
				}
				return gets() == gets;
			});
			String next = "v" + this.version.incrementAndGet();
			fleet.registry(0).instance("futures").evict(id);
			await().atMost(SOON)
				.until(() -> fleet.service(1).future(id).get(10, TimeUnit.SECONDS).name().equals(next));
		}
	}

	/**
	 * Forced interleaving: node B reads v1 from Redis and is paused before it keeps its copy; node A
	 * evicts and loads v2, and B hears both messages; then B's read goes on. It serves v1 (its
	 * read began before the eviction), but keeps no copy of it: its next call gets v2.
	 */
	@Test
	void aReadThatAMessageOvertookKeepsNoCopy() throws Exception {
		PausingSerializer paused = new PausingSerializer();
		Upstream upstream = upstream();
		try (Fleet a = Fleet.start(1, redis, upstream);
				Fleet b = Fleet.start(1, redis, upstream, Map.of("pausingSerializer", paused),
						"collapse.redis.key-prefix=" + a.prefix)) {
			long id = 2;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			paused.armed = true;
			CompletableFuture<Product> read = this.callers.supply(() -> b.service(0).find(id));
			assertThat(paused.reading.await(10, TimeUnit.SECONDS)).isTrue();

			NearCache nearB = b.layer(0).near();
			String entry = b.layer(0).evictions("products").entry(id);
			long heard = nearB.count(entry);
			String next = write(a, 0, id);
			assertThat(a.service(0).find(id).name()).isEqualTo(next);
			// the eviction and the completion reached B
			await().atMost(SOON).until(() -> nearB.count(entry) >= heard + 2);

			paused.release.countDown();
			assertThat(read.get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");
			assertThat(b.service(0).find(id).name()).as("no copy of what the messages replaced").isEqualTo(next);
		}
	}

	/**
	 * Forced interleaving, the fleet's entry replaced without an eviction (as an early refresh of
	 * another node does): node B reads v1 and is paused; the entry becomes v2 in Redis and B hears
	 * its completion message; B's read goes on and keeps no copy of v1. Only the striped counter
	 * stops it: no eviction detached B's flight.
	 */
	@Test
	void aReadThatAReplacementOvertookKeepsNoCopy() throws Exception {
		PausingSerializer paused = new PausingSerializer();
		try (Fleet b = Fleet.start(1, redis, upstream(), Map.of("pausingSerializer", paused))) {
			long id = 9;
			assertThat(b.service(0).find(id).name()).isEqualTo("v1");
			String entry = b.layer(0).evictions("products").entry(id);
			String stored = redis.server().cli("GET", entry).trim();
			// another load's copy: B drops its own, and reads Redis again
			b.layer(0).channel().deliver(CompletionMessage.encode(true, "other:1", entry, false));
			paused.armed = true;
			CompletableFuture<Product> read = this.callers.supply(() -> b.service(0).find(id));
			assertThat(paused.reading.await(10, TimeUnit.SECONDS)).isTrue();

			RedisEntry old = RedisEntry.decode(stored);
			RedisEntry replaced = new RedisEntry(old.expiresAt(), old.loadMicros(), false, "other:2",
					old.value().replace("\"v1\"", "\"v2\""));
			assertThat(redis.server().cli("SET", entry, replaced.encode(), "KEEPTTL").trim()).isEqualTo("OK");
			b.layer(0).channel().deliver(CompletionMessage.encode(true, "other:2", entry, false));

			paused.release.countDown();
			assertThat(read.get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");
			assertThat(b.service(0).find(id).name()).as("no copy of what the message replaced").isEqualTo("v2");
		}
	}

	/**
	 * The evicting node's own read: it read v1 and is paused when the same node evicts the key;
	 * once evict() returned, and the read went on, the node serves the new value, never v1.
	 */
	@Test
	void aReadThatBeganBeforeItsOwnNodesEvictionKeepsNoCopy() throws Exception {
		PausingSerializer paused = new PausingSerializer();
		try (Fleet a = Fleet.start(1, redis, upstream(), Map.of("pausingSerializer", paused))) {
			long id = 10;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			// another load's completion: A drops its copy and reads Redis again, paused
			String entry = a.layer(0).evictions("products").entry(id);
			a.layer(0).channel().deliver(CompletionMessage.encode(true, "other:1", entry, false));
			paused.armed = true;
			CompletableFuture<Product> read = this.callers.supply(() -> a.service(0).find(id));
			assertThat(paused.reading.await(10, TimeUnit.SECONDS)).isTrue();
			String next = write(a, 0, id);
			paused.release.countDown();
			assertThat(read.get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");
			assertThat(a.service(0).find(id).name()).as("after its own evict() returned").isEqualTo(next);
			assertThat(a.service(0).find(id).name()).isEqualTo(next);
		}
	}

	/**
	 * Messages fed to node B in an order of the test's: late and duplicated ones, about the entry B
	 * holds a copy of. A duplicate of the current version keeps the copy (no read of Redis); an old
	 * one drops it, and B reads the current entry again: never the old value.
	 */
	@Test
	void reorderedAndDuplicatedMessagesNeverRegressACopy() throws Exception {
		try (Fleet fleet = Fleet.start(2, redis, upstream())) {
			long id = 3;
			assertThat(fleet.service(0).find(id).name()).isEqualTo("v1");
			String entry = fleet.layer(1).evictions("products").entry(id);
			String oldEntry = redis.server().cli("GET", entry).trim();
			RedisEntry old = RedisEntry.decode(oldEntry);
			String next = write(fleet, 0, id);
			assertThat(fleet.service(0).find(id).name()).isEqualTo(next);
			String currentEntry = redis.server().cli("GET", entry).trim();
			RedisEntry current = RedisEntry.decode(currentEntry);
			assertThat(fleet.service(1).find(id).name()).isEqualTo(next);

			CompletionChannel channelB = fleet.layer(1).channel();
			String[] late = { CompletionMessage.encode(true, old.token(), entry, true) + oldEntry,
					CompletionMessage.encode(true, old.token(), entry, false),
					CompletionMessage.encode(false, old.token(), entry, false) };
			String[] duplicates = { CompletionMessage.encode(true, current.token(), entry, true) + currentEntry,
					CompletionMessage.encode(true, current.token(), entry, false) };
			for (String message : duplicates) {
				long gets = gets();
				channelB.deliver(message);
				assertThat(fleet.service(1).find(id).name()).isEqualTo(next);
				assertThat(gets()).as("a duplicate of the copy's own version keeps it").isEqualTo(gets);
			}
			for (String message : late) {
				channelB.deliver(message);
				assertThat(fleet.service(1).find(id).name()).as("after a late message").isEqualTo(next);
				// and the copy kept again is the current one
				assertThat(fleet.service(1).find(id).name()).isEqualTo(next);
			}
			// the same, interleaved: duplicates and late ones in any order
			for (int round = 0; round < 3; round++) {
				channelB.deliver(late[round % late.length]);
				channelB.deliver(duplicates[round % duplicates.length]);
				channelB.deliver(late[(round + 1) % late.length]);
				assertThat(fleet.service(1).find(id).name()).isEqualTo(next);
			}
		}
	}

	/**
	 * Node B's subscription is killed (Redis closes it; a proxy keeps B's new ones silent): from the
	 * drop on, B trusts no copy, so it never serves one older than an eviction made during the
	 * fault; and one seen before the fault counts too.
	 */
	@Test
	void aKilledSubscriptionServesNoCopyOlderThanTheLastEviction() throws Exception {
		Upstream upstream = upstream();
		try (ChaosProxy proxy = new ChaosProxy(redis.server().port());
				Fleet a = Fleet.start(1, redis, upstream);
				Fleet b = behind(proxy, a, upstream)) {
			long id = 4;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			assertThat(b.service(0).find(id).name()).isEqualTo("v1");
			// an eviction seen before the fault
			String seen = write(a, 0, id);
			await().atMost(SOON).until(() -> b.service(0).find(id).name().equals(seen));
			assertThat(b.layer(0).near().trusted()).isTrue();

			// Redis closes every subscription (A's too); B's new ones stay silent at the proxy, and
			// its command connection works on: no fallback, B reads Redis
			proxy.stallSubscriptions(true);
			redis.server().cli("CLIENT", "KILL", "TYPE", "pubsub");
			// noticed: the drop withdrew the trust in copies
			await().atMost(SOON).until(() -> !b.layer(0).subscribed() && !b.layer(0).near().trusted());
			String during = write(a, 0, id);
			assertThat(a.service(0).find(id).name()).isEqualTo(during);
			assertThat(b.service(0).find(id).name()).as("B, its subscription down").isEqualTo(during);
			assertThat(b.events(0, "fallback")).as("B read Redis").isZero();

			proxy.stallSubscriptions(false);
			await().atMost(SOON).until(() -> b.layer(0).subscribed() && b.layer(0).near().trusted());
			assertThat(b.service(0).find(id).name()).isEqualTo(during);
			String after = write(a, 0, id);
			await().atMost(SOON).until(() -> b.service(0).find(id).name().equals(after));
		}
	}

	/**
	 * Node B's subscription stalls silently (a proxy swallows its traffic): once the stall is
	 * noticed (the bound: the subscription check), B reads Redis and never serves its copy older
	 * than an eviction made meanwhile; resubscribed, it keeps copies again.
	 */
	@Test
	void aStalledSubscriptionServesNoCopyOlderThanTheLastEvictionOnceNoticed() throws Exception {
		Upstream upstream = upstream();
		try (ChaosProxy proxy = new ChaosProxy(redis.server().port());
				Fleet a = Fleet.start(1, redis, upstream);
				Fleet b = behind(proxy, a, upstream)) {
			long id = 5;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			String seen = write(a, 0, id);
			await().atMost(SOON).until(() -> b.service(0).find(id).name().equals(seen));

			proxy.stallSubscriptions(true);
			String during = write(a, 0, id);
			assertThat(a.service(0).find(id).name()).isEqualTo(during);
			await().atMost(SOON).until(b.layer(0)::subscriptionStalled);
			assertThat(b.service(0).find(id).name()).as("B, its stall noticed").isEqualTo(during);

			proxy.stallSubscriptions(false);
			await().atMost(SOON).until(() -> b.layer(0).subscribed() && b.layer(0).near().trusted());
			String after = write(a, 0, id);
			await().atMost(SOON).until(() -> b.service(0).find(id).name().equals(after));
		}
	}

	/** Redis restarts without its data while every node holds a copy: none is served afterwards. */
	@Test
	void aRedisRestartLeavesNoStaleCopy() throws Exception {
		try (Fleet fleet = Fleet.start(4, redis, upstream())) {
			long id = 6;
			warm(fleet, id, "v1");
			redis.server().kill();
			// the fleet's write, made while Redis is away: nobody can evict in Redis
			this.version.incrementAndGet();
			redis.server().start();
			for (int node = 0; node < 4; node++) {
				RedisDistributedLayer layer = fleet.layer(node);
				await().atMost(Duration.ofSeconds(15)).until(() -> layer.available() && layer.subscribed());
			}
			for (int node = 0; node < 4; node++) {
				assertThat(fleet.service(node).find(id).name()).as("node %d after the restart", node).isEqualTo("v2");
			}
		}
		finally {
			if (!redis.server().running()) {
				redis.server().start();
			}
		}
	}

	/**
	 * X-Fetch on near hits: every node rolls early refreshes on its copies, and they go through
	 * the fleet's lease: one refresh of the key at a time in the fleet, and the refreshed value
	 * reaches the copies.
	 */
	@Test
	void earlyRefreshesRolledOnCopiesRunOncePerFleet() throws Exception {
		Upstream upstream = new Upstream();
		AtomicInteger generation = new AtomicInteger();
		upstream.behave((node, key) -> {
			Thread.sleep(30);
			return new Product(((Number) key).longValue(), "generation " + generation.incrementAndGet());
		});
		// a command timeout that two busy cores cannot reach: no call falls back and loads alone
		try (Fleet fleet = Fleet.start(4, redis, upstream, "collapse.instances.hot.early-refresh.beta=1000000",
				"collapse.redis.command-timeout=2s")) {
			long id = 7;
			assertThat(fleet.service(0).hot(id).name()).isEqualTo("generation 1");
			long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
			java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
			Herd.values(Herd.run(4, 2, new CountDownLatch(8), (node) -> () -> {
				while (System.nanoTime() - deadline < 0) {
					seen.add(fleet.service(node).hot(id).name());
				}
				return null;
			}), 30);
			long fallbacks = 0;
			for (int node = 0; node < 4; node++) {
				fallbacks += fleet.events(node, "fallback");
			}
			assertThat(fallbacks).as("calls that fell back").isZero();
			assertThat(upstream.maxRunning()).as("loads of the key at once, fleet-wide").isEqualTo(1);
			assertThat(upstream.loads()).as("the first load and early refreshes").isGreaterThanOrEqualTo(2);
			assertThat(seen).as("the refreshed values reached the callers").hasSizeGreaterThanOrEqualTo(2);
			for (int node = 0; node < 4; node++) {
				assertThat(fleet.calls(node, CallResult.REMOTE)).as("no caller of node %d waited for a refresh", node)
					.isZero();
			}
		}
		assertThat(upstream.maxRunning()).isEqualTo(1);
	}

	/** One node on the prefix of {@code a}, whose connections go through {@code proxy}. */
	private static Fleet behind(ChaosProxy proxy, Fleet a, Upstream upstream) {
		return Fleet.start(1, () -> new String[] { "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + proxy.port() }, upstream, "collapse.redis.key-prefix=" + a.prefix,
				"collapse.redis.subscription-check=500ms");
	}

	/** Every node reads the key once (a copy each), then hits it. */
	private static void warm(Fleet fleet, long id, String expected) throws Exception {
		for (int node = 0; node < fleet.nodes.size(); node++) {
			assertThat(fleet.service(node).find(id).name()).isEqualTo(expected);
		}
		long gets = gets();
		for (int node = 0; node < fleet.nodes.size(); node++) {
			assertThat(fleet.service(node).find(id).name()).isEqualTo(expected);
		}
		assertThat(gets()).as("warm: every node has its copy").isEqualTo(gets);
	}

	private static long gets() {
		return RedisCommandsPerHitTest.commandCalls(redis.server()).getOrDefault("get", 0L);
	}

}
