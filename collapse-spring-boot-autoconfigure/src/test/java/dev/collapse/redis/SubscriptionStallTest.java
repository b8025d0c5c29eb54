package dev.collapse.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.collapse.actuate.DistributedHealthIndicator;
import dev.collapse.chaos.ChaosProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A subscription whose socket goes silent without a reset (a NAT or a load balancer dropped it):
 * node B's connections go through a proxy of this test that swallows its Pub/Sub traffic both
 * ways and keeps the socket open. The lease (30 s) is longer than the wait timeout (10 s): before
 * the subscription was checked, B's caller waited out its whole wait timeout for a short load.
 */
class SubscriptionStallTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	final Callers callers = new Callers();

	/** The bound of the feature: a few seconds, well under the 10 s wait timeout. */
	private static final Duration SOON = Duration.ofSeconds(5);

	private static String[] with(String[] properties, String more) {
		String[] all = Arrays.copyOf(properties, properties.length + 1);
		all[properties.length] = more;
		return all;
	}

	@Test
	void aHealthySubscriptionAnswersItsPingsAndOnlyItsOwnDropMarksItDown() {
		Upstream upstream = new Upstream();
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.server().port()));
		try (Fleet node = Fleet.start(1, redis, upstream, "collapse.redis.subscription-check=200ms");
				StatefulRedisPubSubConnection<String, String> other = client.connectPubSub()) {
			Subscription subscription = node.layer(0).link().subscription();
			await().atMost(Duration.ofSeconds(10)).until(() -> subscription.pongs() >= 3);
			assertThat(subscription.stalls()).isZero();
			// a stalled connection closing after its successor subscribed: not the current one
			subscription.connectionState().onRedisDisconnected((RedisChannelHandler<?, ?>) other);
			assertThat(node.layer(0).subscribed()).isTrue();
		}
		finally {
			client.shutdown();
		}
	}

	@ParameterizedTest
	@EnumSource(ProtocolVersion.class)
	void lettuceGetsAnAnswerToPingInSubscribedModeInEitherProtocol(ProtocolVersion protocol) throws Exception {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.server().port()));
		client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
		try (StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub()) {
			connection.async().subscribe("stall:completions").get(5, TimeUnit.SECONDS);
			// RESP3 answers PONG; RESP2 answers ["pong", ""], which Lettuce reads as "": either is an answer
			assertThat(connection.async().ping().get(5, TimeUnit.SECONDS)).isIn("PONG", "");
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void aSilentlyStalledSubscriptionIsNoticedItsWaitersGetTheValueAndItIsSubscribedAgain() throws Exception {
		Upstream upstreamA = new Upstream();
		Upstream upstreamB = new Upstream();
		String[] timings = { "collapse.redis.lease=30s", "collapse.defaults.wait-timeout=10s",
				"collapse.redis.subscription-check=500ms" };
		try (ChaosProxy proxy = new ChaosProxy(redis.server().port());
				Fleet a = Fleet.start(1, redis, upstreamA, timings);
				Fleet b = Fleet.start(1, () -> new String[] { "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + proxy.port() }, upstreamB, with(timings, "collapse.redis.key-prefix=" + a.prefix))) {
			RedisDistributedLayer layerB = b.layer(0);
			DistributedHealthIndicator healthB = new DistributedHealthIndicator(layerB);

			// A loads, held by the test; B's caller waits for it through Redis
			HeldLoad first = hold(a, upstreamA, b, 71);

			// B's subscription goes silent, and so do its attempts to subscribe again
			proxy.stallSubscriptions(true);
			await().atMost(SOON).until(layerB::subscriptionStalled);
			Health stalled = healthB.health();
			assertThat(stalled.getStatus()).isEqualTo(Status.UP);
			assertThat((String) stalled.getDetails().get("detail")).contains("subscription stalled");
			assertThat(layerB.available()).as("commands still work: Redis is used").isTrue();

			// the load ends: B's caller reads it from Redis soon, long before its wait timeout
			first.release.countDown();
			assertThat(first.leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(71, "p71"));
			await().atMost(SOON).until(first.follower::isDone);
			assertThat(first.follower.get()).isEqualTo(new Product(71, "p71"));
			assertThat(upstreamB.loads()).as("B waited for A's load, did not load itself").isZero();

			// the network heals for new connections: B subscribes again and health recovers
			proxy.stallSubscriptions(false);
			await().atMost(SOON).until(() -> !layerB.subscriptionStalled() && layerB.subscribed());
			assertThat((String) healthB.health().getDetails().get("detail")).contains(", subscribed")
				.contains("subscription stalls: ");

			// a later herd on B is woken by the completion message again, not by the lease
			HeldLoad next = hold(a, upstreamA, b, 72);
			long stalls = layerB.link().subscription().stalls();
			next.release.countDown();
			assertThat(next.leader.get(10, TimeUnit.SECONDS)).isEqualTo(new Product(72, "p72"));
			await().atMost(SOON).until(next.follower::isDone);
			assertThat(next.follower.get()).isEqualTo(new Product(72, "p72"));
			assertThat(upstreamB.loads()).isZero();
			assertThat(layerB.link().subscription().stalls()).as("no new stall woke it").isEqualTo(stalls);
		}
	}

	/**
	 * Starts a load of {@code id} on {@code a}, held until {@code release}, and a caller on {@code b}
	 * that waits for it through Redis; returns once that caller waits.
	 */
	private HeldLoad hold(Fleet a, Upstream upstreamA, Fleet b, long id) throws InterruptedException {
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		upstreamA.behave((node, key) -> {
			loading.countDown();
			release.await(20, TimeUnit.SECONDS);
			return new Product((Long) key, "p" + key);
		});
		CompletableFuture<Product> leader = this.callers.supply(() -> a.service(0).find(id));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Product> follower = this.callers.supply(() -> b.service(0).find(id));
		await().atMost(Duration.ofSeconds(10)).until(() -> b.layer(0).waiting() > 0);
		return new HeldLoad(release, leader, follower);
	}

	private record HeldLoad(CountDownLatch release, CompletableFuture<Product> leader,
			CompletableFuture<Product> follower) {
	}

}
