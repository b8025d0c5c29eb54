package dev.collapse.redis;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Asynchronous calls through the fleet with a non-blocking upstream (issue 14, case 8): a call
 * that waits for another node's load, or for its own, holds no thread while it waits, so keys
 * in flight cost no thread each. Every load here is a future that the test completes.
 */
class AsyncFleetHoldsNoThreadTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final Upstream upstream = new Upstream();

	/** The pending load of each node and key, as {@code node:key}. */
	static final Map<String, CompletableFuture<Object>> loads = new ConcurrentHashMap<>();

	static Fleet fleet;

	@BeforeAll
	static void startFleet() {
		// a lease long enough that no lease runs out while a test holds its loads
		fleet = Fleet.start(3, redis, upstream, "collapse.redis.lease=10s", "collapse.redis.command-timeout=2s");
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@BeforeEach
	void pendingLoads() {
		upstream.reset();
		loads.clear();
		upstream.behave((node, key) -> load(node, key));
	}

	static CompletableFuture<Object> load(String node, Object key) {
		return loads.computeIfAbsent(node + ":" + key, (k) -> new CompletableFuture<>());
	}

	@Test
	void fiveHundredKeysLedByOneNodeAndAwaitedByAnotherAddNoThreadPerKey() throws Exception {
		// the pools' threads (bounded, kept a while when idle) start in a first round: the second
		// must add none per key
		inFlightOnNodeZeroAwaitedOnNodeOne(100_001, 100);
		int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
		int added = inFlightOnNodeZeroAwaitedOnNodeOne(1, 500) - threadsBefore;
		System.out.println("Threads added for 500 keys in flight on one node and awaited on another: " + added);
		assertThat(added).as("threads added while 500 keys load on node 0 and node 1 waits for them").isLessThan(50);
	}

	/**
	 * Node 0 leads {@code keys} keys from {@code first} on, whose loads stay pending; node 1 calls
	 * them too and waits. Then the loads complete and every caller of both nodes has its value.
	 * @return the JVM's live threads while the keys were in flight
	 */
	private static int inFlightOnNodeZeroAwaitedOnNodeOne(long first, int keys) throws Exception {
		upstream.reset();
		loads.clear();
		List<CompletableFuture<Product>> leaders = new ArrayList<>();
		for (long id = first; id < first + keys; id++) {
			leaders.add(fleet.service(0).nonBlocking(id));
		}
		// every load started on node 0, none done: node 0 holds every lease
		await().atMost(Duration.ofSeconds(30)).until(() -> upstream.loads() == keys);
		List<CompletableFuture<Product>> waiters = new ArrayList<>();
		for (long id = first; id < first + keys; id++) {
			waiters.add(fleet.service(1).nonBlocking(id));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> fleet.layer(1).waiting() == keys);
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		loads.forEach((nodeAndKey, load) -> {
			long id = Long.parseLong(nodeAndKey.substring(nodeAndKey.indexOf(':') + 1));
			load.complete(new Product(id, "p" + id));
		});
		for (int i = 0; i < keys; i++) {
			long id = first + i;
			assertThat(leaders.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "p" + id));
			assertThat(waiters.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "p" + id));
		}
		assertThat(upstream.loads()).isEqualTo(keys);
		assertThat(upstream.loads("node1")).isZero();
		return threads;
	}

	@Test
	void asynchronousCallersOfThreeNodesShareOneNonBlockingLoad() throws Exception {
		int nodes = 3;
		int perNode = 30;
		long id = 7001;
		long remoteBefore = fleet.calls(1, CallResult.REMOTE) + fleet.calls(2, CallResult.REMOTE)
				+ fleet.calls(0, CallResult.REMOTE);
		CountDownLatch arrived = new CountDownLatch(nodes * perNode);
		List<Future<CompletableFuture<Product>>> calls = Herd.run(nodes, perNode, arrived,
				(node) -> () -> fleet.service(node).nonBlocking(id));
		assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
		// one node loads; the leaders of the two others wait for it on Redis, with no thread
		await().atMost(Duration.ofSeconds(20)).until(() -> upstream.loads() == 1
				&& fleet.layer(0).waiting() + fleet.layer(1).waiting() + fleet.layer(2).waiting() == nodes - 1);
		List<CompletableFuture<Product>> futures = Herd.values(calls, 30);
		loads.values().forEach((load) -> load.complete(new Product(id, "shared")));
		for (CompletableFuture<Product> future : futures) {
			assertThat(future.get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "shared"));
		}
		assertThat(upstream.loads()).isEqualTo(1);
		// each node's leader is counted once its flight has completed its callers' futures: soon after
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.calls(1, CallResult.REMOTE)
				+ fleet.calls(2, CallResult.REMOTE) + fleet.calls(0, CallResult.REMOTE) - remoteBefore >= (nodes - 1) * perNode);
		long remote = fleet.calls(1, CallResult.REMOTE) + fleet.calls(2, CallResult.REMOTE)
				+ fleet.calls(0, CallResult.REMOTE) - remoteBefore;
		assertThat(remote).as("callers served by another node's load").isEqualTo((nodes - 1) * perNode);
	}

	@Test
	void aFailedRemoteLoadLetsTheWaitingNodeLoadItself() throws Exception {
		long id = 8001;
		CompletableFuture<Product> leader = fleet.service(0).nonBlocking(id);
		await().atMost(Duration.ofSeconds(20)).until(() -> upstream.loads("node0") == 1);
		CompletableFuture<Product> waiter = fleet.service(1).nonBlocking(id);
		await().atMost(Duration.ofSeconds(20)).until(() -> fleet.layer(1).waiting() == 1);
		load("node0", id).completeExceptionally(new IllegalStateException("upstream down"));
		assertThatThrownBy(() -> leader.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.hasRootCauseInstanceOf(IllegalStateException.class);
		// woken by the failure, node 1 contends again and loads
		await().atMost(Duration.ofSeconds(20)).until(() -> upstream.loads("node1") == 1);
		assertThat(waiter).isNotDone();
		load("node1", id).complete(new Product(id, "second try"));
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "second try"));
		assertThat(upstream.loads()).isEqualTo(2);
	}

	@Test
	void aWaitLongerThanTheWaitTimeoutFailsWithoutAThread() throws Exception {
		long id = 9001;
		CompletableFuture<Product> leader = fleet.service(0).impatient(id);
		await().atMost(Duration.ofSeconds(20)).until(() -> upstream.loads("node0") == 1);
		// the lease has 10 s left: the wait timeout (300 ms) ends node 1's wait first
		CompletableFuture<Product> waiter = fleet.service(1).impatient(id);
		assertThatThrownBy(() -> waiter.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(CollapseTimeoutException.class);
		assertThat(fleet.layer(1).waiting()).isZero();
		load("node0", id).complete(new Product(id, "late"));
		assertThat(leader.get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "late"));
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void aCallThatTheLayersBoundedPoolRefusesLeadsInItsJvm() throws Exception {
		long id = 10_001;
		ThreadPoolExecutor pool = fleet.layer(2).executor();
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch busy = new CountDownLatch(pool.getMaximumPoolSize());
		try {
			for (int i = 0; i < pool.getMaximumPoolSize(); i++) {
				pool.execute(() -> {
					busy.countDown();
					try {
						release.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				});
			}
			assertThat(busy.await(20, TimeUnit.SECONDS)).as("every thread of the pool held").isTrue();
			assertThatThrownBy(() -> {
				while (true) {
					pool.execute(() -> {
					});
				}
			}).isInstanceOf(RejectedExecutionException.class);
			long fallbacks = fleet.calls(2, CallResult.FALLBACK);
			CompletableFuture<Product> caller = fleet.service(2).nonBlocking(id);
			await().atMost(Duration.ofSeconds(20)).until(() -> upstream.loads("node2") == 1);
			load("node2", id).complete(new Product(id, "local"));
			assertThat(caller.get(30, TimeUnit.SECONDS)).isEqualTo(new Product(id, "local"));
			assertThat(fleet.calls(2, CallResult.FALLBACK)).isEqualTo(fallbacks + 1);
		}
		finally {
			release.countDown();
		}
	}

}
