package dev.collapse.redis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.Collapser;
import dev.collapse.core.Keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Array keys given to the {@link Collapser} of two nodes on one Redis: arrays of equal content are
 * one key on each node and in Redis, and the same key as an annotated method's array argument.
 */
class ArrayKeysAcrossTheFleetTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	private final ExecutorService callers = Executors.newFixedThreadPool(3);

	@BeforeAll
	static void startFleet() {
		// a lease and command timeout that a CPU-starved machine cannot outlast while a load is held;
		// the names' settings come from properties, so code and annotation register them alike
		fleet = Fleet.start(2, redis, upstream, "collapse.redis.lease=10s", "collapse.redis.command-timeout=2s",
				"collapse.instances.codes.ttl=1m", "collapse.instances.arrays-byte.ttl=1m",
				"collapse.instances.arrays-int.ttl=1m");
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@AfterEach
	void stopCallers() throws InterruptedException {
		this.callers.shutdownNow();
		assertThat(this.callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
	}

	private static Collapser collapser(int node) {
		return fleet.nodes.get(node).getBean(Collapser.class);
	}

	@Test
	void codeOnOneNodeReadsWhatAnAnnotatedMethodStoredOnAnotherUnderAnEqualArray() throws Exception {
		upstream.reset();
		upstream.behave((node, key) -> "code of " + key + " from " + node);
		String stored = fleet.service(0).code(new byte[] { 1, 2, 3 });
		AtomicInteger codeLoads = new AtomicInteger();
		String read = collapser(1).collapse("codes", new byte[] { 1, 2, 3 }, String.class, () -> {
			codeLoads.incrementAndGet();
			return "loaded by code";
		});
		assertThat(read).isEqualTo(stored).isEqualTo("code of [1, 2, 3] from node0");
		assertThat(codeLoads).as("no load: the entry in Redis is the annotated method's").hasValue(0);
		assertThat(upstream.loads()).isEqualTo(1);
	}

	/** Each supplier builds a new array on every call: equal content, never the same object. */
	static Stream<Arguments> arrayKeys() {
		return Stream.of(Arguments.of("arrays-byte", Named.of("byte[]", (Supplier<Object>) () -> new byte[] { 4, 5 })),
				Arguments.of("arrays-int", Named.of("int[]", (Supplier<Object>) () -> new int[] { 4, 5 })));
	}

	@ParameterizedTest
	@MethodSource("arrayKeys")
	void equalArraysOnTwoNodesShareOneLoadAndOneEntry(String name, Supplier<Object> key) throws Exception {
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Supplier<String> loader = () -> {
			int load = loads.incrementAndGet();
			try {
				loadMayFinish.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return "load " + load;
		};
		Object normalized = Keys.normalize(key.get());
		Future<String> leader = call(0, name, key.get(), loader);
		await().atMost(Duration.ofSeconds(30)).until(() -> followers(0, name, normalized) >= 0);
		Future<String> nodeFollower = call(0, name, key.get(), loader);
		Future<String> otherNode = call(1, name, key.get(), loader);
		// an equal array on the same node joins the load in flight, as the same array would
		await().atMost(Duration.ofSeconds(30)).until(() -> followers(0, name, normalized) >= 1);
		loadMayFinish.countDown();
		for (Future<String> caller : List.of(leader, nodeFollower, otherNode)) {
			assertThat(caller.get(30, TimeUnit.SECONDS)).isEqualTo("load 1");
		}
		assertThat(collapser(1).collapse(name, key.get(), String.class, loader)).isEqualTo("load 1");
		assertThat(loads).as("one load for the fleet").hasValue(1);

		collapser(1).evict(name, key.get());
		assertThat(collapser(1).collapse(name, key.get(), String.class, loader))
			.as("evicted through an equal array, in this node and in Redis").isEqualTo("load 2");
		assertThat(loads).hasValue(2);
	}

	private Future<String> call(int node, String name, Object key, Supplier<String> loader) {
		return this.callers.submit(() -> collapser(node).collapse(name, key, String.class, loader));
	}

	/** Callers waiting on the load of {@code key} on {@code node}, the leader excluded; -1 if none runs. */
	private static int followers(int node, String name, Object key) {
		Optional<CollapseInstance> instance = fleet.registry(node).find(name);
		// the core package's Herd reads the count; this package has a Herd of its own
		return instance.map((i) -> dev.collapse.core.Herd.followers(i, key)).orElse(-1);
	}

}
