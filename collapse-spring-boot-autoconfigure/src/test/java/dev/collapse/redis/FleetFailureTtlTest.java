package dev.collapse.redis;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseRemoteLoadException;
import dev.collapse.core.Collapser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The storm after an outage, fleet-wide (issue 16): a failure cached for {@code failure-ttl} is
 * the key's entry in Redis, so every node serves it without a load, as the failure's type name
 * and message only; an eviction clears it, and once the window is over one load runs again.
 */
class FleetFailureTtlTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final int NODES = 3;

	private static final int CALLERS_PER_NODE = 20;

	static Fleet fleet;

	private final AtomicInteger upstreamRequests = new AtomicInteger();

	private ExecutorService pool;

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(NODES, redis, new Upstream(), "collapse.instances.auth.failure-ttl=10m",
				"collapse.instances.auth.ttl=10m", "collapse.instances.auth.jitter=0",
				"collapse.instances.short.failure-ttl=300ms", "collapse.instances.short.ttl=10m",
				"collapse.instances.short.jitter=0", "collapse.instances.warm.failure-ttl=10m",
				"collapse.instances.warm.ttl=10m", "collapse.instances.warm.jitter=0",
				"collapse.instances.warm.early-refresh.beta=1000000000");
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@AfterEach
	void stopCallers() {
		if (this.pool != null) {
			this.pool.shutdownNow();
		}
	}

	private static Collapser collapser(int node) {
		return fleet.nodes.get(node).getBean(Collapser.class);
	}

	/** The upstream while it is down: its exception carries a stack trace and a cause, neither of which travels. */
	private String down() {
		this.upstreamRequests.incrementAndGet();
		throw new UncheckedIOException("auth is down", new IOException("connection refused"));
	}

	private String up() {
		this.upstreamRequests.incrementAndGet();
		return "token";
	}

	private static Object outcome(Supplier<Object> call) {
		try {
			return call.get();
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

	/** {@code CALLERS_PER_NODE} callers on each of {@code nodes}, released together by one latch. */
	private List<Object> herd(String name, String key, Supplier<String> load, int... nodes) throws Exception {
		this.pool = Executors.newFixedThreadPool(CALLERS_PER_NODE * nodes.length);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Object>> futures = new ArrayList<>();
		for (int node : nodes) {
			for (int i = 0; i < CALLERS_PER_NODE; i++) {
				futures.add(this.pool.submit(() -> {
					start.await();
					return outcome(() -> collapser(node).collapse(name, key, String.class, load));
				}));
			}
		}
		start.countDown();
		List<Object> outcomes = new ArrayList<>();
		for (Future<Object> future : futures) {
			outcomes.add(future.get(30, TimeUnit.SECONDS));
		}
		return outcomes;
	}

	@Test
	void aFailureOnOneNodeIsServedOnTheOthersAsItsTypeAndMessageOnly() throws Exception {
		long failuresBefore = failures();
		assertThatThrownBy(() -> collapser(0).collapse("auth", "k1", String.class, this::down))
			.isInstanceOf(UncheckedIOException.class);

		List<Object> outcomes = herd("auth", "k1", this::down, 0, 1, 2);

		assertThat(this.upstreamRequests).as("the upstream saw the first load only").hasValue(1);
		// the node that ran the load reads the fleet's entry too: one exception type fleet-wide
		assertThat(outcomes).hasSize(NODES * CALLERS_PER_NODE).allSatisfy((outcome) -> {
			assertThat(outcome).isInstanceOf(CollapseRemoteLoadException.class);
			CollapseRemoteLoadException remote = (CollapseRemoteLoadException) outcome;
			assertThat(remote.failureType()).isEqualTo(UncheckedIOException.class.getName());
			assertThat(remote.failureMessage()).isEqualTo("auth is down");
			assertThat(remote.getCause()).isNull();
			assertThat(remote.getMessage()).contains("'auth'", UncheckedIOException.class.getName(), "auth is down");
		});
		assertThat(failures() - failuresBefore).as("counted as collapse.calls{result=failure}")
			.isEqualTo(NODES * CALLERS_PER_NODE);

		String stored = redis.server().cli("GET", entryKey("auth", "k1"));
		assertThat(stored).startsWith("c1;")
			.contains(";f")
			.contains(UncheckedIOException.class.getName())
			.contains("auth is down")
			.doesNotContain("connection refused", "\tat ", FleetFailureTtlTest.class.getName(), "token");
	}

	@Test
	void afterTheWindowOneLoadRunsForTheWholeFleet() throws Exception {
		assertThatThrownBy(() -> collapser(2).collapse("short", "k2", String.class, this::down))
			.isInstanceOf(UncheckedIOException.class);
		String entry = entryKey("short", "k2");
		// the entry's physical ttl is the window: it goes by itself
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().cli("EXISTS", entry).trim().equals("0"));

		List<Object> after = herd("short", "k2", this::up, 0, 1, 2);

		assertThat(after).containsOnly("token");
		assertThat(this.upstreamRequests).as("the failed load, then one for the fleet").hasValue(2);
	}

	@Test
	void anEvictionOnAnyNodeClearsTheFleetsCachedFailure() throws Exception {
		assertThatThrownBy(() -> collapser(0).collapse("auth", "k3", String.class, this::down))
			.isInstanceOf(UncheckedIOException.class);
		assertThatThrownBy(() -> collapser(1).collapse("auth", "k3", String.class, this::up))
			.isInstanceOf(CollapseRemoteLoadException.class);

		collapser(2).evict("auth", "k3");

		assertThat(collapser(1).collapse("auth", "k3", String.class, this::up)).isEqualTo("token");
		assertThat(this.upstreamRequests).hasValue(2);

		assertThatThrownBy(() -> collapser(0).collapse("auth", "k4", String.class, this::down))
			.isInstanceOf(UncheckedIOException.class);
		// evictAll reaches the other nodes by a message; the node that evicts sees it at once
		collapser(2).evictAll("auth");
		assertThat(collapser(2).collapse("auth", "k4", String.class, this::up)).isEqualTo("token");
		assertThat(this.upstreamRequests).hasValue(4);
	}

	/**
	 * An early refresh of a warm key that fails leaves the fleet's good entry in place: its
	 * entry is fresh, so the failure is not the key's to cache (docs/design.md, Cached failures).
	 */
	@Test
	void aFailedEarlyRefreshKeepsTheFleetsGoodEntry() throws Exception {
		// a load of 20 ms and beta 10^9: every hit of the 10-minute entry rolls an early refresh
		assertThat(collapser(0).collapse("warm", "k6", String.class, () -> {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			return up();
		})).isEqualTo("token");
		String entry = entryKey("warm", "k6");
		String good = redis.server().cli("GET", entry);
		CountDownLatch refreshFailed = new CountDownLatch(1);

		// a hit on node 1: the refresh it rolls runs in the background and fails
		assertThat(collapser(1).collapse("warm", "k6", String.class, () -> {
			refreshFailed.countDown();
			return down();
		})).isEqualTo("token");
		assertThat(refreshFailed.await(10, TimeUnit.SECONDS)).as("the early refresh ran").isTrue();
		// its lease, taken before the load, goes with its completion
		await().atMost(Duration.ofSeconds(10)).until(() -> redis.server().cli("EXISTS", RedisKeys.lock(entry)).trim().equals("0"));

		assertThat(redis.server().cli("GET", entry)).as("the fleet's entry").isEqualTo(good);
		assertThat(collapser(2).collapse("warm", "k6", String.class, () -> "other")).isEqualTo("token");
	}

	/** Invariant 9: a failure's type name is text; the class it names is never loaded. */
	@Test
	void aForgedFailureNamingAClassNeverLoadsIt() {
		assertThatThrownBy(() -> collapser(0).collapse("auth", "k5", String.class, this::down))
			.isInstanceOf(UncheckedIOException.class);
		String forged = "c1;" + (System.currentTimeMillis() + 600_000) + ";0;fforeign:1;" + Probe.class.getName()
				+ "\nforged";
		redis.server().cli("SET", entryKey("auth", "k5"), forged);

		assertThatThrownBy(() -> collapser(1).collapse("auth", "k5", String.class, this::up))
			.isInstanceOfSatisfying(CollapseRemoteLoadException.class, (remote) -> {
				assertThat(remote.failureType()).isEqualTo(Probe.class.getName());
				assertThat(remote.failureMessage()).isEqualTo("forged");
			});
		assertThat(probeInitialized).as("the class named by the entry was initialized").isFalse();
		assertThat(this.upstreamRequests).hasValue(1);
	}

	/** Set by {@link Probe}'s initializer: outside it, so that reading it initializes nothing. */
	static volatile boolean probeInitialized;

	/** A class that a forged failure names: its initialization would say it was loaded for the data. */
	static final class Probe {

		static {
			probeInitialized = true;
		}

	}

	private static long failures() {
		long failures = 0;
		for (int node = 0; node < NODES; node++) {
			failures += fleet.calls(node, CallResult.FAILURE);
		}
		return failures;
	}

	/** The Redis key of the entry of {@code key} in instance {@code name}, found by SCAN. */
	private static String entryKey(String name, String key) {
		List<String> keys = Arrays.stream(redis.server().cli("--scan", "--pattern", fleet.prefix + "*" + name + "*" + key + "*").split("\n"))
			.map(String::trim)
			.filter((found) -> !found.isEmpty() && !found.endsWith(":lock"))
			.toList();
		assertThat(keys).as("entry of " + key).hasSize(1);
		return keys.get(0);
	}

}
