package dev.collapse.redis;

import java.time.Duration;
import java.util.List;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A caller interrupted while a lease script is on the wire: the script may run in Redis anyway,
 * and its lease must never be left held by nobody. The lease is 30 s, far longer than any wait
 * here: only a release can free it in time.
 */
class InterruptedRoundTripTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	final Callers callers = new Callers();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	static RedisKeys keys;

	@BeforeAll
	static void startFleet() {
		// a command timeout longer than the pauses below: the caller stays in its round trip
		fleet = Fleet.start(2, redis, upstream, "collapse.redis.lease=30s", "collapse.redis.command-timeout=5s");
		keys = new RedisKeys(fleet.prefix, new KeyEncoding(List.of()));
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	private static String entry(long id) {
		return keys.entry(keys.instancePrefix("products"), id);
	}

	private static boolean inside(Thread thread, String method) {
		return Arrays.stream(thread.getStackTrace())
			.anyMatch((frame) -> frame.getClassName().endsWith("RedisInstanceCoordinator")
					&& frame.getMethodName().equals(method));
	}

	@Test
	void aCallerInterruptedWhileItsLeaseAttemptIsOnTheWireLeavesNoLeaseBehind() throws Exception {
		long id = 61;
		String lock = RedisKeys.lock(entry(id));
		upstream.reset();
		// scripts wait 2 s, reads do not: the lease attempt is held on the wire
		redis.server().cli("CLIENT", "PAUSE", "2000", "WRITE");
		AtomicReference<Thread> caller = new AtomicReference<>();
		CompletableFuture<Product> interrupted = this.callers.supply(() -> {
			caller.set(Thread.currentThread());
			return fleet.service(0).find(id);
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> caller.get() != null && inside(caller.get(), "acquire"));
		caller.get().interrupt();
		assertThat(interrupted).failsWithin(10, TimeUnit.SECONDS);
		// a write of the test's own runs after the paused lease attempt: that attempt took its lease
		redis.server().cli("SET", fleet.prefix + "marker", "1");
		await().atMost(Duration.ofSeconds(5)).until(() -> redis.server().cli("EXISTS", lock).trim().equals("0"));
		// so the fleet loads at once instead of waiting out the 30 s lease: the interrupted caller's
		// flight, handed to another thread of node0, or node1's caller, whichever takes the lease
		assertThat(this.callers.supply(() -> fleet.service(1).find(id)).get(5, TimeUnit.SECONDS))
			.isEqualTo(new Product(id, "p" + id));
		assertThat(upstream.loads()).isEqualTo(1);
	}

	@Test
	void aLeaderWhoseThreadIsInterruptedStillCompletesReleasingItsLeaseAndWakingTheOthers() throws Exception {
		long id = 62;
		String lock = RedisKeys.lock(entry(id));
		upstream.reset();
		// the load ends with its thread interrupted: the completion runs on an interrupted thread
		upstream.behave((node, key) -> {
			Thread.currentThread().interrupt();
			return new Product((Long) key, "p" + key);
		});
		try {
			AtomicBoolean interruptKept = new AtomicBoolean();
			Product led = this.callers.supply(() -> {
				Product value = fleet.service(0).find(id);
				interruptKept.set(Thread.currentThread().isInterrupted());
				return value;
			}).get(10, TimeUnit.SECONDS);
			assertThat(led).isEqualTo(new Product(id, "p" + id));
			assertThat(interruptKept).as("the caller's interrupt status is kept").isTrue();
			assertThat(redis.server().cli("EXISTS", lock).trim()).as("the lease is released").isEqualTo("0");
			assertThat(redis.server().cli("EXISTS", entry(id)).trim()).as("the entry is stored").isEqualTo("1");
			assertThat(this.callers.supply(() -> fleet.service(1).find(id)).get(5, TimeUnit.SECONDS)).isEqualTo(led);
			assertThat(upstream.loads()).isEqualTo(1);
		}
		finally {
			upstream.behave((node, key) -> new Product((Long) key, "p" + key));
		}
	}

}
