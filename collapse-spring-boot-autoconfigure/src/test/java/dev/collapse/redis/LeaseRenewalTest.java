package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.redis.LeaseKeeper.RedisLease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The renewal of a lease while its holder loads, on a real Redis. */
class LeaseRenewalTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void aRenewalThatThrowsSynchronouslyDoesNotStopTheLaterOnes() {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.server().port()));
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			AtomicInteger runs = new AtomicInteger();
			// the first renewal throws inside the scheduled task itself, before any command
			LeaseKeeper keeper = new LeaseKeeper(Duration.ofMillis(2000), scheduler, () -> {
				if (runs.incrementAndGet() == 1) {
					throw new IllegalStateException("a synchronous failure inside the renewal");
				}
				return connection.async();
			}, "renewal:completions");
			String lock = "renewal:{k}:lock";
			String token = keeper.newToken();
			connection.sync().set(lock, token, SetArgs.Builder.px(2000));
			RedisLease lease = keeper.renew("renewal:{k}", lock, token, Duration.ofMinutes(5));
			// eight runs (one every 667 ms) take 4.7 s, more than twice the 2 s the lease was taken for:
			// only renewals keep it. A lease of 900 ms was lost on a loaded machine whose scheduler
			// thread did not run for a renewal period, which is not what this test is about.
			await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 8);
			assertThat(connection.sync().pttl(lock)).as("the lease is still held, renewed").isPositive();
			assertThat(lease.lost).isFalse();
			lease.stop();
			assertThat(keeper.renewing()).isZero();
		}
		finally {
			scheduler.shutdownNow();
			client.shutdown();
		}
	}

	@Test
	void aRenewalThatFindsTheLeaseGoneMarksItLost() {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.server().port()));
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			LeaseKeeper keeper = new LeaseKeeper(Duration.ofMillis(300), scheduler, connection::async,
					"renewal:completions");
			String lock = "renewal:{gone}:lock";
			String token = keeper.newToken();
			connection.sync().set(lock, token, SetArgs.Builder.px(300_000));
			RedisLease lease = keeper.renew("renewal:{gone}", lock, token, Duration.ofMinutes(5));
			connection.sync().set(lock, "someone else");
			await().atMost(Duration.ofSeconds(10)).until(() -> lease.lost);
			lease.stop();
		}
		finally {
			scheduler.shutdownNow();
			client.shutdown();
		}
	}

}
