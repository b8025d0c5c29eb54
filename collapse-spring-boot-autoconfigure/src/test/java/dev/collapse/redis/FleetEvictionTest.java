package dev.collapse.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.actuate.CollapseStatistics;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.Collapser;
import dev.collapse.core.Herd;
import dev.collapse.core.Loader;
import dev.collapse.core.spi.DistributedCoordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Evictions win across the fleet: an eviction on one node fences a load in flight on another
 * (its lease ends, so it stores nothing, and no caller joins it once the eviction is heard),
 * {@code evictAll} clears every node's view of the instance, and a late message of an older load
 * is never served after an eviction. Each first load is held on a latch while the eviction
 * happens, so every interleaving is forced.
 */
class FleetEvictionTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	final Callers callers = new Callers();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	static RedisKeys keys;

	/** Loads of the current test: the first is held until released and returns "old", later ones "new". */
	final AtomicInteger loads = new AtomicInteger();

	final CountDownLatch oldLoadStarted = new CountDownLatch(1);

	final CountDownLatch oldLoadMayEnd = new CountDownLatch(1);

	@BeforeAll
	static void startFleet() {
		// a lease and a wait far longer than any step here: no test passes by a lease expiring
		fleet = Fleet.start(3, redis, upstream, "collapse.redis.lease=30s", "collapse.defaults.wait-timeout=25s");
		keys = new RedisKeys(fleet.prefix, new KeyEncoding(List.of()));
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@BeforeEach
	void holdTheFirstLoad() {
		upstream.reset();
		upstream.behave((node, key) -> {
			long id = ((Number) key).longValue();
			if (this.loads.incrementAndGet() == 1) {
				this.oldLoadStarted.countDown();
				assertThat(this.oldLoadMayEnd.await(20, TimeUnit.SECONDS)).isTrue();
				return new Product(id, "old");
			}
			return new Product(id, "new");
		});
	}

	private CompletableFuture<Product> oldLoadOnNode0(long id) throws InterruptedException {
		CompletableFuture<Product> leader = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(this.oldLoadStarted.await(10, TimeUnit.SECONDS)).isTrue();
		return leader;
	}

	/** The Redis key of {@code id}'s entry in the generation node 0 uses now (earlier tests may have moved it). */
	private static String entryKey(long id) {
		return fleet.layer(0).evictions("products").entry(id);
	}

	private static CollapseInstance products(int node) {
		return fleet.registry(node).instance("products");
	}

	@Test
	void anEvictionOnOneNodeFencesALoadInFlightOnAnother() throws Exception {
		long id = 1;
		CompletableFuture<Product> leader = oldLoadOnNode0(id);

		fleet.nodes.get(1).getBean(Collapser.class).evict("products", id);

		// a caller after evict() returned does not wait for the old load: its lease is gone
		assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "new"));
		this.oldLoadMayEnd.countDown();
		assertThat(leader.get(10, TimeUnit.SECONDS)).as("the old load's own caller").isEqualTo(new Product(id, "old"));
		// the old load ended last, and stored nothing over the new value
		assertThat(fleet.service(1).find(id)).isEqualTo(new Product(id, "new"));
		assertThat(upstream.loads()).isEqualTo(2);
	}

	@Test
	void onceTheEvictionIsHeardNoCallerOfTheLoadingNodeJoinsTheOldLoad() throws Exception {
		long id = 2;
		CompletableFuture<Product> leader = oldLoadOnNode0(id);
		assertThat(products(0).inflight()).isEqualTo(1);

		assertThat(products(1).evict(id)).as("no entry yet").isFalse();

		await("node0 hears the eviction").atMost(Duration.ofSeconds(10)).until(() -> products(0).inflight() == 0);
		assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "new"));
		this.oldLoadMayEnd.countDown();
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "old"));
		assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "new"));
	}

	@Test
	void evictAllClearsTheInstanceOnEveryNodeAndFencesLoadsInFlight() throws Exception {
		this.oldLoadMayEnd.countDown();
		this.loads.set(1);
		for (long id = 10; id < 15; id++) {
			assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "new"));
		}
		upstream.reset();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "after"));

		fleet.nodes.get(1).getBean(Collapser.class).evictAll("products");

		for (long id = 10; id < 15; id++) {
			assertThat(fleet.service(1).find(id)).as("read on the evicting node").isEqualTo(new Product(id, "after"));
		}
		assertThat(upstream.loads()).isEqualTo(5);
		// the other nodes hear of it and read the new entries, loaded once for the fleet
		await("node2 hears the eviction").atMost(Duration.ofSeconds(10))
			.until(() -> fleet.service(2).find(10).equals(new Product(10, "after")));
		for (long id = 10; id < 15; id++) {
			assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "after"));
		}
		assertThat(upstream.loads()).isEqualTo(5);
	}

	@Test
	void theEndpointsDeleteOfAnInstanceClearsItAcrossTheFleet() throws Exception {
		this.oldLoadMayEnd.countDown();
		this.loads.set(1);
		long id = 16;
		assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "new"));
		upstream.reset();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "after"));

		// the endpoint as its auto-configuration builds it, on node 2's registry and layer
		CollapseEndpoint endpoint = new CollapseEndpoint(fleet.registry(2), new CollapseStatistics(10, Duration.ofMinutes(1), false),
				fleet.layer(2));
		endpoint.evict("products", null);

		assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "after"));
		await("node1 hears the eviction").atMost(Duration.ofSeconds(10))
			.until(() -> fleet.service(1).find(id).equals(new Product(id, "after")));
		assertThat(upstream.loads()).isEqualTo(1);
	}

	/**
	 * Regression: a node adopted its own evictAll's reply after a later evictAll's message from
	 * another node, and skipped its own message: two evictAlls at once left the nodes on different
	 * generations, each reading entries the other had evicted.
	 */
	@Test
	void evictAllsAtOnceOnTwoNodesLeaveEveryNodeOnTheSameGeneration() throws Exception {
		InstanceEvictions first = fleet.layer(0).evictions("products");
		InstanceEvictions second = fleet.layer(1).evictions("products");
		for (int round = 0; round < 100; round++) {
			CountDownLatch together = new CountDownLatch(1);
			CompletableFuture<Void> a = this.callers.run(() -> {
				Herd.hold(together);
				products(0).evictAll();
			});
			CompletableFuture<Void> b = this.callers.run(() -> {
				Herd.hold(together);
				products(1).evictAll();
			});
			together.countDown();
			a.get(10, TimeUnit.SECONDS);
			b.get(10, TimeUnit.SECONDS);
			long stored = Long.parseLong(redis.server().cli("GET", RedisKeys.generation(keys.instancePrefix("products"))).trim());
			int at = round;
			await("round " + at + ": both nodes on generation " + stored).atMost(Duration.ofSeconds(5))
				.until(() -> first.generation() == stored && second.generation() == stored);
		}
	}

	/**
	 * Regression: a node that had not yet heard another node's evictAll evicted the key in the
	 * generation it knew, and left the entry of the current one, which it read as soon as it
	 * heard the message: an old value served after its own evict() had returned.
	 */
	@Test
	void anEvictionByANodeThatHasNotHeardTheLatestEvictAllStillReachesTheCurrentEntry() throws Exception {
		this.oldLoadMayEnd.countDown();
		this.loads.set(1);
		long id = 60;
		InstanceEvictions lagging = fleet.layer(0).evictions("products");
		// node 0 reads the generation on its next call, and then keeps it until a message moves it
		fleet.service(0).find(id + 1_000);
		long known = lagging.generation();
		assertThat(known).as("node 0 knows a generation").isNotNegative();
		// another node's evictAll whose message node 0 has not heard yet: the stored generation moves alone
		String generationKey = RedisKeys.generation(keys.instancePrefix("products"));
		long current = Long.parseLong(redis.server().cli("INCR", generationKey).trim());
		String currentEntry = keys.entry(RedisKeys.generationPrefix(keys.instancePrefix("products"), current), id);
		String stale = new RedisEntry(System.currentTimeMillis() + 60_000, 1, false, "other-node:1",
				"{\"id\":60,\"name\":\"before the write\"}").encode();
		redis.server().cli("SET", currentEntry, stale, "PX", "60000");
		assertThat(lagging.generation()).as("node 0 still knows").isEqualTo(known);

		products(0).evict(id);

		assertThat(redis.server().cli("EXISTS", currentEntry).trim()).as("the current generation's entry").isEqualTo("0");
		assertThat(lagging.generation()).isEqualTo(current);
		assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "new"));
		// the other nodes learn the generation by the next message or resubscription; tell them now
		products(1).evictAll();
	}

	@Test
	void evictAllFencesALoadInFlight() throws Exception {
		long id = 20;
		CompletableFuture<Product> leader = oldLoadOnNode0(id);

		products(1).evictAll();

		assertThat(fleet.service(1).find(id)).isEqualTo(new Product(id, "new"));
		this.oldLoadMayEnd.countDown();
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "old"));
		await("node0 hears the eviction").atMost(Duration.ofSeconds(10))
			.until(() -> fleet.service(0).find(id).equals(new Product(id, "new")));
		assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "new"));
	}

	/**
	 * Regression: a waiter took the entry a completion message carried without checking that it
	 * came from the load it waited for: a late message of a load from before an eviction served
	 * that load's value to a caller that began after the eviction.
	 */
	@Test
	void aLateMessageOfAnOlderLoadIsNeverServedAfterAnEviction() throws Exception {
		long id = 30;
		CompletableFuture<Product> leader = oldLoadOnNode0(id);
		CompletableFuture<Product> waiter = this.callers.supply(() -> fleet.service(1).find(id));
		await("node1 waits for node0's lease").atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() == 1);

		// the message of a load whose lease is long gone, with its entry, as Redis would deliver it late
		String entryKey = entryKey(id);
		String entry = new RedisEntry(System.currentTimeMillis() + 60_000, 1, false, "older-node:1",
				"{\"id\":30,\"name\":\"evicted\"}").encode();
		redis.server().cli("PUBLISH", keys.channel(), CompletionMessage.encode(true, "older-node:1", entryKey, true) + entry);

		await("node1 re-read Redis and waits again").atMost(Duration.ofSeconds(10))
			.until(() -> fleet.layer(1).waiting() == 1 && upstream.loads() == 1);
		assertThat(waiter).isNotDone();
		this.oldLoadMayEnd.countDown();
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "old"));
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "old"));
	}

	/**
	 * Regression: a fleet refresh ignored the entry in Redis, so a refresh queued for an entry that
	 * another node had replaced since loaded the key once more.
	 */
	@Test
	void aFleetRefreshOfAnEntryReplacedSinceLoadsNothing() throws Throwable {
		this.oldLoadMayEnd.countDown();
		this.loads.set(1);
		long id = 50;
		String entryKey = entryKey(id);
		fleet.service(0).find(id);
		String first = RedisEntry.decode(redis.server().cli("GET", entryKey).trim()).token();
		products(1).evict(id);
		fleet.service(1).find(id);
		String second = RedisEntry.decode(redis.server().cli("GET", entryKey).trim()).token();
		assertThat(second).isNotEqualTo(first);
		DistributedCoordinator coordinator = fleet.layer(2).coordinator("products", products(2).settings(), Product.class);
		AtomicInteger refreshes = new AtomicInteger();
		Loader refresh = () -> new Product(id, "refresh " + refreshes.incrementAndGet());

		assertThat(coordinator.refresh(id, first, refresh)).as("a refresh of the replaced entry").isNull();
		assertThat(refreshes).hasValue(0);
		assertThat(coordinator.refresh(id, second, refresh)).as("a refresh of the current entry").isNotNull();
		assertThat(refreshes).hasValue(1);
		assertThat(fleet.service(2).find(id)).isEqualTo(new Product(id, "refresh 1"));
	}

	/**
	 * Regression: the lease script served any entry whose expiry had not passed, hand-offs
	 * included; a hand-off written by a node whose clock runs ahead was then a hit for everybody.
	 */
	@Test
	void aHandOffEntryIsNeverServedAsAHit() throws Exception {
		this.oldLoadMayEnd.countDown();
		this.loads.set(1);
		long id = 40;
		String entryKey = entryKey(id);
		String handOff = new RedisEntry(System.currentTimeMillis() + 60_000, 1, true, "ahead-node:1",
				"{\"id\":40,\"name\":\"handed off\"}").encode();
		redis.server().cli("SET", entryKey, handOff, "PX", "60000");

		assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "new"));
		assertThat(upstream.loads()).isEqualTo(1);
	}

}
