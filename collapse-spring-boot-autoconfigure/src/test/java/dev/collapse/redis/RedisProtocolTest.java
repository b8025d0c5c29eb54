package dev.collapse.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;
import dev.collapse.core.Collapser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The protocol between nodes, on a real Redis: leases, fencing, wake-ups, entries and keys. */
class RedisProtocolTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/** Callers that block while a test holds their load; their threads stop after each test. */
	@RegisterExtension
	final Callers callers = new Callers();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	static RedisKeys keys;

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(3, redis, upstream, "collapse.instances.programmatic.ttl=1m",
				"collapse.instances.programmatic-async.ttl=1m", "collapse.instances.refreshing.early-refresh.beta=1000000");
		keys = new RedisKeys(fleet.prefix, new KeyEncoding(List.of()));
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@BeforeEach
	void reset() {
		upstream.reset();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "p" + key + " from " + node));
	}

	static String entryKey(String instance, Object key) {
		return keys.entry(keys.instancePrefix(instance), key);
	}

	static String cli(String... args) {
		return redis.server().cli(args).trim();
	}

	@Test
	void leaseLostMidLoadLetsASecondLeaderTakeOverAndFencesTheFirstOnesWrite() throws Exception {
		long id = 11;
		CountDownLatch firstLoading = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			if (node.equals("node0")) {
				firstLoading.countDown();
				releaseFirst.await(20, TimeUnit.SECONDS);
				return new Product(id, "first");
			}
			return new Product(id, "second");
		});
		CompletableFuture<Product> first = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(firstLoading.await(10, TimeUnit.SECONDS)).isTrue();
		String lock = RedisKeys.lock(entryKey("products", id));
		assertThat(cli("DEL", lock)).isEqualTo("1");
		// the lease is gone: node1 takes it over and stores its own result
		assertThat(fleet.service(1).find(id).name()).isEqualTo("second");
		releaseFirst.countDown();
		// the first leader's own callers get its result, but Redis keeps the second one
		assertThat(first.get(10, TimeUnit.SECONDS).name()).isEqualTo("first");
		assertThat(cli("GET", entryKey("products", id))).endsWith("\"second\"}");
		assertThat(fleet.events(0, "leaseLost")).isEqualTo(1);
		assertThat(fleet.service(2).find(id).name()).isEqualTo("second");
		assertThat(upstream.loads()).isEqualTo(2);
	}

	@Test
	void interruptedNodeLeaderStopsWaitingAloneItsFollowersStillGetTheResult() throws Exception {
		long id = 29;
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			loading.countDown();
			release.await(20, TimeUnit.SECONDS);
			return new Product(id, "from node0");
		});
		CompletableFuture<Product> remote = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Object> leaderOutcome = new CompletableFuture<>();
		Thread leader = new Thread(() -> {
			try {
				leaderOutcome.complete(fleet.service(1).find(id));
			}
			catch (Throwable ex) {
				leaderOutcome.complete(ex);
			}
		});
		leader.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() > 0);
		List<CompletableFuture<Product>> followers = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			CompletableFuture<Product> follower = new CompletableFuture<>();
			Thread thread = new Thread(() -> follower.complete(call(() -> fleet.service(1).find(id))));
			followers.add(follower);
			threads.add(thread);
			thread.start();
		}
		// every follower waits on node1's flight before its leader is interrupted
		dev.collapse.core.Herd.awaitParkedFollowers(fleet.registry(1).instance("products"), id, threads);
		leader.interrupt();
		assertThat(leaderOutcome.get(10, TimeUnit.SECONDS)).isInstanceOf(dev.collapse.core.CollapseInterruptedException.class);
		release.countDown();
		assertThat(remote.get(10, TimeUnit.SECONDS).name()).isEqualTo("from node0");
		for (CompletableFuture<Product> follower : followers) {
			assertThat(follower.get(10, TimeUnit.SECONDS).name()).isEqualTo("from node0");
		}
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void completionPublishedBeforeTheFollowerWaitsIsFoundByItsReRead() throws Exception {
		long id = 12;
		// a remote leader holds the lease for 20 s more and has already written its hand-off entry:
		// its message is gone, as if published before this node subscribed
		String entry = entryKey("inflight", id);
		cli("SET", RedisKeys.lock(entry), "ghost:1", "PX", "20000");
		String json = "{\"id\":12,\"name\":\"from ghost\"}";
		cli("SET", entry, new RedisEntry(System.currentTimeMillis(), 1000, true, "ghost:1", json).encode(), "PX", "20000");
		long remoteBefore = fleet.calls(1, CallResult.REMOTE);
		Product product = this.callers.supply(() -> fleet.service(1).inflight(id))
			.get(5, TimeUnit.SECONDS);
		assertThat(product.name()).isEqualTo("from ghost");
		assertThat(fleet.calls(1, CallResult.REMOTE)).isEqualTo(remoteBefore + 1);
		assertThat(upstream.loads()).isZero();
	}

	@Test
	void followersFinishWhenThePubSubConnectionIsKilledDuringTheirWait() throws Exception {
		long id = 13;
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			loading.countDown();
			release.await(20, TimeUnit.SECONDS);
			return new Product(id, "after kill");
		});
		CompletableFuture<Product> leader = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		CountDownLatch arrived = new CountDownLatch(40);
		List<Future<Product>> followers = Herd.run(2, 20, arrived, (node) -> () -> fleet.service(node + 1).find(id));
		assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> waiting(1) && waiting(2));
		assertThat(cli("CLIENT", "KILL", "TYPE", "pubsub")).isNotEqualTo("0");
		release.countDown();
		long start = System.nanoTime();
		assertThat(leader.get(10, TimeUnit.SECONDS).name()).isEqualTo("after kill");
		// bound: the lease (2 s) and a margin, far below the wait timeout (15 s)
		assertThat(Herd.values(followers, 5)).hasSize(40).allMatch((p) -> p.name().equals("after kill"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
		assertThat(upstream.loads()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).subscribed() && fleet.layer(2).subscribed());
		// and the subscription works again: a new herd is woken by its message
		upstream.reset();
		assertOneLoadAcrossNodes(14);
	}

	private static boolean waiting(int node) {
		return fleet.registry(node).instance("products").inflight() > 0 && fleet.layer(node).waiting() > 0;
	}

	private static void assertOneLoadAcrossNodes(long id) throws Exception {
		CountDownLatch arrived = new CountDownLatch(60);
		upstream.behave((node, key) -> {
			arrived.await(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> waiting(1) || waiting(2) || waiting(0));
			return new Product(id, "herd");
		});
		List<Future<Product>> all = Herd.run(3, 20, arrived, (node) -> () -> fleet.service(node).find(id));
		assertThat(Herd.values(all, 10)).hasSize(60).allMatch((p) -> p.name().equals("herd"));
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void whenTheRemoteLeaderFailsFollowersContendAgainOneLoadAtATimeAndEachSeesItsOwnFailure() throws Exception {
		long id = 15;
		upstream.behave((node, key) -> {
			TimeUnit.MILLISECONDS.sleep(150);
			throw new IllegalStateException("upstream down, seen by " + node);
		});
		CountDownLatch arrived = new CountDownLatch(3 * 20);
		List<Future<Product>> results = Herd.run(3, 20, arrived, (node) -> () -> fleet.service(node).find(id));
		for (int i = 0; i < results.size(); i++) {
			String node = "node" + (i / 20);
			Future<Product> result = results.get(i);
			assertThatThrownBy(() -> result.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
				.cause()
				.hasMessage("upstream down, seen by " + node);
		}
		assertThat(upstream.maxRunning()).as("loads at once in the fleet").isEqualTo(1);
		for (int node = 0; node < 3; node++) {
			assertThat(upstream.loads("node" + node)).as("loads of node" + node).isEqualTo(1);
		}
		assertThat(cli("EXISTS", entryKey("products", id))).isEqualTo("0");
	}

	@Test
	void corruptEntryIsAMissAndIsOverwritten() throws Exception {
		long id = 16;
		String entry = entryKey("products", id);
		cli("SET", entry, "garbage that is no entry");
		assertThat(fleet.service(0).find(id).name()).isEqualTo("p16 from node0");
		assertThat(cli("GET", entry)).startsWith("c1;");
		// a header of ours, with a body that is not the declared type
		cli("SET", entry, "c1;" + (System.currentTimeMillis() + 60_000) + ";0;stoken:1;[1,2,3");
		assertThat(fleet.service(1).find(id).name()).isEqualTo("p16 from node1");
		assertThat(fleet.service(2).find(id).name()).isEqualTo("p16 from node1");
		assertThat(upstream.loads()).isEqualTo(2);
	}

	@Test
	void entryNamingAClassNeverInstantiatesIt() throws Exception {
		long fresh = System.currentTimeMillis() + 60_000;
		String[] bodies = { "{\"@class\":\"dev.collapse.redis.Gadget\",\"id\":17,\"name\":\"gadget\"}",
				"[\"dev.collapse.redis.Gadget\",{\"id\":17,\"name\":\"gadget\"}]",
				"{\"@type\":\"dev.collapse.redis.Gadget\",\"id\":17}" };
		for (String body : bodies) {
			cli("SET", entryKey("products", 17L), "c1;" + fresh + ";0;stoken:1;" + body);
			Object value = fleet.service(0).find(17);
			assertThat(value).isInstanceOf(Product.class);
			fleet.nodes.get(0).getBean(Collapser.class).evict("products", 17L);
		}
		assertThat(Gadget.instances).hasValue(0);
	}

	@Test
	void delimiterBraceAndLongKeysReachDistinctRedisKeys() throws Exception {
		upstream.behave((node, key) -> "v" + key);
		String longPart = "x".repeat(1000);
		String[][] pairs = { { "a:b", "c" }, { "a", "b:c" }, { "{x}", "y" }, { "x", "{y}" }, { "}", "{" },
				{ "\\", "(" }, { longPart, "1" }, { longPart, "2" } };
		for (String[] pair : pairs) {
			assertThat(fleet.service(0).text(pair[0], pair[1])).isEqualTo("v" + pair[0] + "|" + pair[1]);
		}
		assertThat(upstream.loads()).isEqualTo(pairs.length);
		String[] stored = cli("--scan", "--pattern", fleet.prefix + "{texts:*").split("\n");
		assertThat(Set.of(stored)).hasSize(pairs.length);
		for (String key : stored) {
			// the hash tag is exactly the instance and the key: its only unescaped closing brace ends it
			assertThat(key).startsWith(fleet.prefix + "{texts:").endsWith("}").hasSizeLessThan(300);
		}
		// every one is read back by another node, none loaded again
		for (String[] pair : pairs) {
			assertThat(fleet.service(1).text(pair[0], pair[1])).isEqualTo("v" + pair[0] + "|" + pair[1]);
		}
		assertThat(upstream.loads()).isEqualTo(pairs.length);
	}

	@Test
	void recordsListsOptionalsNullsMonosAndFuturesRoundTripThroughRedis() throws Exception {
		List<Product> list = List.of(new Product(1, "one"), new Product(2, "two"));
		upstream.behave((node, key) -> switch (String.valueOf(key)) {
			case "cat" -> list;
			case "18" -> Optional.of(new Product(18, "eighteen"));
			case "19" -> Optional.empty();
			case "20" -> null;
			default -> new Product(((Number) key).longValue(), "p" + key);
		});
		assertThat(fleet.service(0).list("cat")).isEqualTo(list);
		assertThat(fleet.service(1).list("cat")).isEqualTo(list).allMatch((p) -> p instanceof Product);
		assertThat(fleet.service(0).maybe(18)).contains(new Product(18, "eighteen"));
		assertThat(fleet.service(1).maybe(18)).contains(new Product(18, "eighteen"));
		assertThat(fleet.service(0).maybe(19)).isEmpty();
		assertThat(fleet.service(1).maybe(19)).isEmpty();
		assertThat(fleet.service(0).find(20)).isNull();
		assertThat(fleet.service(1).find(20)).isNull();
		assertThat(fleet.service(0).mono(21).block(Duration.ofSeconds(5))).isEqualTo(new Product(21, "p21"));
		assertThat(fleet.service(1).mono(21).block(Duration.ofSeconds(5))).isEqualTo(new Product(21, "p21"));
		assertThat(fleet.service(0).future(22).get(5, TimeUnit.SECONDS)).isEqualTo(new Product(22, "p22"));
		assertThat(fleet.service(1).future(22).get(5, TimeUnit.SECONDS)).isEqualTo(new Product(22, "p22"));
		assertThat(upstream.loads()).as("one load per key, the second node reads Redis").isEqualTo(6);
		assertThat(fleet.calls(1, CallResult.HIT)).isGreaterThanOrEqualTo(6);
	}

	@Test
	void programmaticCallsWithATypeShareThroughRedisAndWithoutOneStayLocal() throws Exception {
		Collapser first = fleet.nodes.get(0).getBean(Collapser.class);
		Collapser second = fleet.nodes.get(1).getBean(Collapser.class);
		AtomicInteger loads = new AtomicInteger();
		Product loaded = first.collapse("programmatic", 25L, Product.class, () -> {
			loads.incrementAndGet();
			return new Product(25, "typed");
		});
		assertThat(second.collapse("programmatic", 25L, Product.class, () -> {
			loads.incrementAndGet();
			return new Product(25, "loaded again");
		})).isEqualTo(loaded);
		assertThat(loads).hasValue(1);
		assertThat(second.collapseAsync("programmatic-async", 26L, Product.class,
				() -> CompletableFuture.completedFuture(new Product(26, "async"))).get(5, TimeUnit.SECONDS))
			.isEqualTo(new Product(26, "async"));
		assertThat(first.collapseAsync("programmatic-async", 26L, Product.class,
				() -> CompletableFuture.completedFuture(new Product(26, "loaded again"))).get(5, TimeUnit.SECONDS))
			.isEqualTo(new Product(26, "async"));
		// without a type nothing is read from or written to Redis
		assertThat(first.collapse("untyped", 27L, () -> "first")).isEqualTo("first");
		assertThat(second.collapse("untyped", 27L, () -> "second")).isEqualTo("second");
		assertThat(cli("--scan", "--pattern", fleet.prefix + "{untyped:*")).isEmpty();
		// a name's users agree on its type
		assertThatThrownBy(() -> first.collapse("programmatic", 25L, String.class, () -> "x"))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("dev.collapse.redis.Product");
	}

	@Test
	void earlyRefreshOfAHitReloadsThroughTheLeaseAndUpdatesRedis() throws Exception {
		long id = 28;
		ProductService.generations.set(0);
		assertThat(fleet.service(0).refreshing(id).name()).isEqualTo("generation 1");
		// a hit returns the current value at once; X-Fetch (beta 10^6, delta 20 ms) refreshes it behind.
		// Hits go on until Redis holds a refreshed value: a refresh is skipped while the node counts
		// Redis as down, which a starved test JVM can make it do for a moment
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			assertThat(fleet.service(1).refreshing(id).name()).startsWith("generation ");
			String stored = cli("GET", entryKey("refreshing", id));
			return stored.contains("generation ") && !stored.contains("generation 1\"");
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> !fleet.service(2).refreshing(id).name().equals("generation 1"));
	}

	@Test
	void scriptsAreFencedByTheLeaseToken() {
		String entry = entryKey("scripts", "k");
		String lock = RedisKeys.lock(entry);
		String now = Long.toString(System.currentTimeMillis());
		assertThat(eval(RedisScripts.ACQUIRE, entry, lock, "node:1", "2000", now, "0")).isEqualTo("2");
		// a SET NX replayed after a reconnect finds its own token: still acquired
		assertThat(eval(RedisScripts.ACQUIRE, entry, lock, "node:1", "2000", now, "0")).isEqualTo("2");
		assertThat(lines(eval(RedisScripts.ACQUIRE, entry, lock, "other:1", "2000", now, "0")).subList(0, 2))
			.containsExactly("3", "node:1");
		assertThat(eval(RedisScripts.RENEW, lock, "other:1", "2000")).isEqualTo("0");
		assertThat(eval(RedisScripts.RENEW, lock, "node:1", "2000")).isEqualTo("1");
		assertThat(eval(RedisScripts.COMPLETE, entry, lock, "other:1", "c1;1;1;sother:1;1", "1000", "ch", "m", "0"))
			.isEqualTo("0");
		assertThat(cli("EXISTS", entry)).isEqualTo("0");
		assertThat(eval(RedisScripts.COMPLETE, entry, lock, "node:1", "c1;1;1;snode:1;1", "1000", "ch", "m", "0"))
			.isEqualTo("1");
		assertThat(cli("EXISTS", entry, lock)).isEqualTo("1");
	}

	private static String eval(String script, String... keysThenArgs) {
		int keyCount = (script == RedisScripts.RENEW) ? 1 : 2;
		List<String> command = new ArrayList<>(List.of("EVAL", script, Integer.toString(keyCount)));
		command.addAll(List.of(keysThenArgs));
		return cli(command.toArray(String[]::new));
	}

	@Test
	void evictThroughTheCollapserDeletesTheRedisEntry() throws Exception {
		long id = 23;
		fleet.service(0).find(id);
		assertThat(cli("EXISTS", entryKey("products", id))).isEqualTo("1");
		fleet.nodes.get(1).getBean(Collapser.class).evict("products", id);
		assertThat(cli("EXISTS", entryKey("products", id))).isEqualTo("0");
		fleet.service(2).find(id);
		assertThat(upstream.loads()).isEqualTo(2);
	}

	@Test
	void evictSaysWhetherTheRedisEntryWasThere() throws Exception {
		long id = 25;
		fleet.service(0).find(id);
		// node 1 never read the key: only Redis has its entry, and DEL's count is the answer
		assertThat(fleet.registry(1).instance("products").evict(id)).as("entry in Redis").isTrue();
		assertThat(cli("EXISTS", entryKey("products", id))).isEqualTo("0");
		assertThat(fleet.registry(1).instance("products").evict(id)).as("nothing left to evict").isFalse();
	}

	@Test
	void concurrentReadersOfOneNodeShareOneRedisRead() throws Exception {
		long id = 24;
		fleet.service(0).find(id);
		AtomicInteger reads = new AtomicInteger();
		String before = cli("INFO", "commandstats");
		CountDownLatch arrived = new CountDownLatch(200);
		List<Future<Product>> all = Herd.run(1, 200, arrived, (node) -> () -> fleet.service(1).find(id));
		assertThat(Herd.values(all, 10)).hasSize(200).allMatch((p) -> p.id() == id);
		long gets = getCalls(cli("INFO", "commandstats")) - getCalls(before);
		reads.set((int) gets);
		assertThat(reads.get()).as("GETs for 200 concurrent readers").isLessThan(200).isPositive();
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void aSmallEntryComesWithTheCompletionMessageSoTheWaitingNodeReadsNothing() throws Exception {
		// GETs after node1 waits: the completion script's check of the lease, and no read of node1
		assertThat(getsOfAWaitingNodeAfterTheLoad(31, "p31")).isEqualTo(1);
	}

	@Test
	void aLargeEntryIsOnlyNamedInTheMessageAndTheWaitingNodeReadsIt() throws Exception {
		String large = "x".repeat(CompletionMessage.ENTRY_LIMIT + 1);
		assertThat(getsOfAWaitingNodeAfterTheLoad(32, large)).isEqualTo(2);
	}

	/** node0 loads {@code name}, node1 waits for it; the GETs Redis ran from the end of the load. */
	private long getsOfAWaitingNodeAfterTheLoad(long id, String name) throws Exception {
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			loading.countDown();
			assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
			return new Product(id, name);
		});
		CompletableFuture<Product> leader = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		long remoteBefore = fleet.calls(1, CallResult.REMOTE);
		CompletableFuture<Product> waiting = this.callers.supply(() -> fleet.service(1).find(id));
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() > 0);
		long before = getCalls(cli("INFO", "commandstats"));
		release.countDown();
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, name));
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, name));
		long gets = getCalls(cli("INFO", "commandstats")) - before;
		assertThat(fleet.calls(1, CallResult.REMOTE)).isEqualTo(remoteBefore + 1);
		assertThat(upstream.loads()).isEqualTo(1);
		return gets;
	}

	@Test
	void malformedCompletionMessagesNeverServeAWaiter() throws Exception {
		long id = 33;
		String entry = entryKey("products", id);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			loading.countDown();
			assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
			return new Product(id, "real");
		});
		CompletableFuture<Product> leader = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Product> waiting = this.callers.supply(() -> fleet.service(1).find(id));
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() > 0);
		String channel = fleet.prefix + "completions";
		for (String message : List.of("E", "Ex\n", "Ex\nabc\n" + entry, "Ex\n99999\n" + entry, "Ex\n-1\n" + entry,
				"Ex\n" + (entry.length() + 5) + "\n" + entry, "Ex\n" + entry.length() + "\n" + entry + "not an entry")) {
			cli("PUBLISH", channel, message);
		}
		// the last one woke node1 with garbage: it reads, finds the lease still held, and waits again
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() > 0);
		assertThat(waiting).isNotDone();
		release.countDown();
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "real"));
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "real"));
		assertThat(upstream.loads()).isEqualTo(1);
		assertThat(fleet.layer(1).subscribed()).isTrue();
	}

	private static long getCalls(String commandStats) {
		for (String line : commandStats.split("\n")) {
			if (line.startsWith("cmdstat_get:")) {
				String calls = line.substring("cmdstat_get:calls=".length());
				return Long.parseLong(calls.substring(0, calls.indexOf(',')));
			}
		}
		return 0;
	}

	interface Call<T> {

		T call() throws Exception;

	}

	static <T> T call(Call<T> call) {
		try {
			return call.call();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	static List<String> lines(String text) {
		return new ArrayList<>(List.of(text.split("\n")));
	}

}
