package dev.collapse.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Redis going away and coming back: calls never fail or hang for it, and use it again by themselves. */
class RedisOutageTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/** Callers that block while a test holds their load; their threads stop after each test. */
	@RegisterExtension
	final Callers callers = new Callers();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(2, redis, upstream);
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	@Test
	void slowRedisFallsBackWithinTheCommandTimeout() throws Exception {
		await().atMost(Duration.ofSeconds(15)).until(() -> fleet.layer(0).available());
		long fallbacks = fleet.calls(0, CallResult.FALLBACK);
		// every client but replicas waits 3 s for each command; the command timeout is 500 ms
		redis.server().cli("CLIENT", "PAUSE", "3000", "ALL");
		long start = System.nanoTime();
		assertThat(fleet.service(0).find(34)).isEqualTo(new Product(34, "p34"));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
		assertThat(fleet.calls(0, CallResult.FALLBACK)).isEqualTo(fallbacks + 1);
		// and Redis is used again as soon as it answers
		await().atMost(Duration.ofSeconds(15)).until(() -> fleet.layer(0).available());
		upstream.reset();
		fleet.service(0).find(35);
		fleet.service(1).find(35);
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void leaseTakenByALateLeaseAttemptIsReleasedOnceRedisAnswers() throws Exception {
		Upstream own = new Upstream();
		// a lease far longer than this test: only its release can remove it in time
		try (Fleet single = Fleet.start(1, redis, own, "collapse.redis.lease=60s")) {
			RedisKeys keys = new RedisKeys(single.prefix, new KeyEncoding(List.of()));
			String lock = RedisKeys.lock(keys.entry(keys.instancePrefix("products"), 38L));
			// writes (and scripts) wait 2 s, reads do not: the lease script times out after the read
			redis.server().cli("CLIENT", "PAUSE", "2000", "WRITE");
			assertThat(single.service(0).find(38)).isEqualTo(new Product(38, "p38"));
			assertThat(single.events(0, "fallback")).isEqualTo(1);
			// the late script takes its lease once the pause ends; the layer releases it
			await().atMost(Duration.ofSeconds(15)).until(() -> single.layer(0).available()
					&& redis.server().cli("EXISTS", lock).trim().equals("0"));
			own.reset();
			assertThat(single.service(0).find(38)).isEqualTo(new Product(38, "p38"));
			assertThat(own.loads()).isEqualTo(1);
		}
	}

	@Test
	void applicationStartsWhileRedisIsDownAndUsesItOnceItAnswers() throws Exception {
		RedisServer late = RedisServer.start(java.nio.file.Files.createTempDirectory("collapse-late-"));
		late.kill();
		Upstream own = new Upstream();
		RedisProperties target = () -> new String[] { "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + late.port() };
		try (Fleet down = Fleet.startUnchecked(2, target, own)) {
			assertThat(down.layer(0).available()).isFalse();
			assertThat(down.service(0).find(36)).isEqualTo(new Product(36, "p36"));
			assertThat(down.calls(0, CallResult.FALLBACK)).isEqualTo(1);
			late.start();
			await().atMost(Duration.ofSeconds(15))
				.until(() -> down.layer(0).available() && down.layer(1).available() && down.layer(1).subscribed());
			own.reset();
			down.service(0).find(37);
			down.service(1).find(37);
			assertThat(own.loads()).isEqualTo(1);
		}
		finally {
			late.kill();
		}
	}

	@Test
	void redisKilledMidHerdThenRestartedNoCallerHangsCallsFallBackThenUseRedisAgain() throws Exception {
		long id = 31;
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			if (node.equals("node0") && ((Long) key) == id) {
				loading.countDown();
				release.await(20, TimeUnit.SECONDS);
			}
			return new Product((Long) key, "p" + key);
		});
		CountDownLatch arrived = new CountDownLatch(2 * 50);
		CompletableFuture<Product> leader = this.callers.supply(() -> fleet.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		List<Future<Product>> herd = Herd.run(2, 50, arrived, (node) -> () -> fleet.service(node).find(id));
		assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(1).waiting() > 0);

		redis.server().kill();
		// node1's callers waited for node0 through Redis: they fall back to a load of their own
		await().atMost(Duration.ofSeconds(10)).until(() -> upstream.loads("node1") == 1);
		release.countDown();
		assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "p" + id));
		assertThat(Herd.values(herd, 10)).hasSize(100).containsOnly(new Product(id, "p" + id));
		assertThat(fleet.events(1, "fallback")).isPositive();
		assertThat(fleet.layer(0).available()).isFalse();
		assertThat(fleet.layer(0).fallbackSince()).isNotNull();

		// while Redis is down every call works, collapsed in its own JVM, within the command timeout
		long fallbacksBefore = fleet.calls(0, CallResult.FALLBACK);
		assertThat(fleet.service(0).find(32)).isEqualTo(new Product(32, "p32"));
		assertThat(fleet.calls(0, CallResult.FALLBACK)).isEqualTo(fallbacksBefore + 1);

		redis.server().start();
		await().atMost(Duration.ofSeconds(15))
			.until(() -> fleet.layer(0).available() && fleet.layer(1).available() && fleet.layer(0).subscribed()
					&& fleet.layer(1).subscribed());
		upstream.reset();
		assertThat(fleet.service(0).find(33)).isEqualTo(new Product(33, "p33"));
		assertThat(fleet.service(1).find(33)).isEqualTo(new Product(33, "p33"));
		assertThat(upstream.loads()).as("node1 read node0's entry from Redis").isEqualTo(1);
		RedisKeys keys = new RedisKeys(fleet.prefix, new KeyEncoding(List.of()));
		assertThat(redis.server().cli("EXISTS", keys.entry(keys.instancePrefix("products"), 33L)).trim()).isEqualTo("1");
	}

}
