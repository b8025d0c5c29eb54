package dev.collapse.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hung load does not hold its key across the fleet: past the load timeout its lease is released,
 * fenced by its token, so a caller waiting on another node loads at once instead of waiting for
 * the lease (30 s here) or its own wait timeout (25 s), and the hung load's late result is stored
 * nowhere.
 */
class FleetLoadTimeoutTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@RegisterExtension
	final Callers callers = new Callers();

	@Test
	void aHungLoadReleasesItsLeaseAndAnotherNodeLoadsAtOnce() throws Exception {
		Upstream upstream = new Upstream();
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch hung = new CountDownLatch(1);
		CountDownLatch hungMayEnd = new CountDownLatch(1);
		upstream.behave((node, key) -> {
			long id = ((Number) key).longValue();
			if (loads.incrementAndGet() == 1) {
				hung.countDown();
				assertThat(hungMayEnd.await(40, TimeUnit.SECONDS)).isTrue();
				return new Product(id, "late");
			}
			return new Product(id, "fresh");
		});
		try (Fleet fleet = Fleet.start(2, redis, upstream, "collapse.redis.lease=30s",
				"collapse.defaults.wait-timeout=25s", "collapse.instances.products.load-timeout=1s")) {
			long id = 1;
			CompletableFuture<Product> hungCaller = this.callers.supply(() -> fleet.service(0).find(id));
			assertThat(hung.await(10, TimeUnit.SECONDS)).isTrue();

			// waits for node0's lease, which the load timeout releases a second after the load began
			CompletableFuture<Product> other = this.callers.supply(() -> fleet.service(1).find(id));
			assertThat(other.get(15, TimeUnit.SECONDS)).isEqualTo(new Product(id, "fresh"));
			assertThat(fleet.events(0, "load:timeout")).isEqualTo(1);

			hungMayEnd.countDown();
			assertThat(hungCaller.get(10, TimeUnit.SECONDS)).as("the hung load's own caller").isEqualTo(new Product(id, "late"));
			assertThat(fleet.service(1).find(id)).as("the late result stored nothing").isEqualTo(new Product(id, "fresh"));
			assertThat(fleet.service(0).find(id)).isEqualTo(new Product(id, "fresh"));
			assertThat(upstream.loads()).isEqualTo(2);
			assertThat(fleet.events(0, "load:success")).as("the late end is not counted again").isZero();
		}
	}

}
