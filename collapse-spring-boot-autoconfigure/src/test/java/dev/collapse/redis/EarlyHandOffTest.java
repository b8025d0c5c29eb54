package dev.collapse.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The callers that wait on the leader's own node get its value as soon as the load returns, not
 * after the leader has written it to Redis and woken the other nodes.
 */
class EarlyHandOffTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final AtomicInteger THREADS = new AtomicInteger();

	@Test
	void followersOnTheLeadersNodeHaveTheValueWhileTheLeaderStillWritesIt() throws Exception {
		long id = 51;
		Upstream upstream = new Upstream();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			loading.countDown();
			assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
			return new Product(id, "loaded");
		});
		// a command timeout far longer than the pause below: the leader waits for Redis all along
		try (Fleet fleet = Fleet.start(2, redis, upstream, "collapse.redis.command-timeout=20s")) {
			CompletableFuture<Product> leaderResult = new CompletableFuture<>();
			Thread leader = start(() -> leaderResult.complete(find(fleet, id)));
			assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
			List<CompletableFuture<Product>> followers = new ArrayList<>();
			List<Thread> threads = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				CompletableFuture<Product> follower = new CompletableFuture<>();
				followers.add(follower);
				threads.add(start(() -> follower.complete(find(fleet, id))));
			}
			Herd.awaitParkedFollowers(fleet.registry(0).instance("products"), id, threads);

			// Redis holds every write from now on: the leader can neither store its value nor publish it
			redis.server().cli("CLIENT", "PAUSE", "30000", "WRITE");
			try {
				release.countDown();
				for (CompletableFuture<Product> follower : followers) {
					assertThat(follower.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "loaded"));
				}
				// it cannot leave lead() before Redis takes its completion script, paused above
				assertThat(leader.getStackTrace()).as("the leader, when its followers have the value")
					.anyMatch((frame) -> frame.getClassName().equals(RedisInstanceCoordinator.class.getName())
							&& frame.getMethodName().equals("lead"));
				assertThat(leaderResult).isNotDone();
			}
			finally {
				redis.server().cli("CLIENT", "UNPAUSE");
			}
			assertThat(leaderResult.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(id, "loaded"));
			assertThat(upstream.loads()).isEqualTo(1);
			assertThat(fleet.service(1).find(id)).as("the other node, from Redis").isEqualTo(new Product(id, "loaded"));
			assertThat(upstream.loads()).isEqualTo(1);
		}
	}

	private static Product find(Fleet fleet, long id) {
		try {
			return fleet.service(0).find(id);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Thread start(Runnable task) {
		Thread thread = new Thread(task, "early-hand-off-" + THREADS.incrementAndGet());
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
