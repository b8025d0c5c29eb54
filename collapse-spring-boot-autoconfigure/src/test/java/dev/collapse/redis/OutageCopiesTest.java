package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a node stored alone during a Redis outage is never served in a later one: the fleet may
 * have replaced or evicted it meanwhile, while this node did not read its own store.
 */
class OutageCopiesTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/**
	 * Regression: node A stored v1 in outage 1; Redis came back, node B evicted the key and
	 * loaded v2; in outage 2, node A served v1 as a hit.
	 */
	@Test
	void anEntryStoredDuringOneOutageIsNotServedInTheNext() throws Exception {
		Upstream upstream = new Upstream();
		AtomicInteger version = new AtomicInteger();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v" + version.incrementAndGet()));
		try (Fleet fleet = Fleet.start(2, redis, upstream)) {
			long id = 7;
			redis.server().kill();
			await().atMost(Duration.ofSeconds(10)).until(() -> !fleet.layer(0).available());
			assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "v1"));
			assertThat(fleet.service(0).find(id)).as("a hit of outage 1").isEqualTo(new Product(id, "v1"));
			assertThat(fleet.calls(0, CallResult.HIT)).isEqualTo(1);

			redis.server().start();
			await().atMost(Duration.ofSeconds(15))
				.until(() -> fleet.layer(0).available() && fleet.layer(1).available() && fleet.layer(0).subscribed()
						&& fleet.layer(1).subscribed());
			fleet.registry(1).instance("products").evict(id);
			assertThat(fleet.service(1).find(id)).isEqualTo(new Product(id, "v2"));

			redis.server().kill();
			await().atMost(Duration.ofSeconds(10)).until(() -> !fleet.layer(0).available());
			assertThat(fleet.service(0).find(id)).as("outage 2 on node A").isEqualTo(new Product(id, "v3"));
		}
		finally {
			if (!redis.server().running()) {
				redis.server().start();
			}
		}
	}

}
