package dev.collapse.redis;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review of the near cache: the entry key to key map ({@code InstanceEvictions.copies}) is bounded
 * apart from the store. When its bound evicts the mapping of a key between
 * {@code RedisInstanceCoordinator.keepCopy}'s {@code copied(...)} and the store under the stripe's
 * lock, the copy goes in with no mapping left: no later message about its entry key can find it,
 * and the node serves the evicted value until the copy's ttl.
 *
 * <p>Forced interleaving: node B's read of key 1 is held on the stripe's lock right after it
 * registered its mapping; a read of key 2 on B registers its own, and the map's bound (1) evicts
 * key 1's; then B's read of key 1 keeps its copy. Node A evicts key 1 and loads v2; B hears both
 * messages, and must not serve v1 any more.
 */
class NearCacheOrphanCopyTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final Duration SOON = Duration.ofSeconds(10);

	private final AtomicInteger version = new AtomicInteger(1);

	@Test
	void aCopyWhoseMappingTheBoundEvictedIsStillDroppedByTheEviction() throws Exception {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v" + this.version.get()));
		PausingSerializer paused = new PausingSerializer();
		try (Fleet a = Fleet.start(1, redis, upstream);
				Fleet b = Fleet.start(1, redis, upstream, Map.of("pausingSerializer", paused),
						"collapse.redis.key-prefix=" + a.prefix, "collapse.local.max-entries=1")) {
			long id = 1;
			InstanceEvictions evictionsB = b.layer(0).evictions("products");
			NearCache nearB = b.layer(0).near();
			String entry = evictionsB.entry(id);
			Object stripe = stripe(nearB, entry);
			long other = 2;
			while (stripe(nearB, evictionsB.entry(other)) == stripe) {
				other++;
			}
			long otherId = other;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			assertThat(a.service(0).find(otherId).name()).isEqualTo("v1");

			// B reads key 1 from Redis, paused in the read (its stamp is taken)
			paused.armed = true;
			CompletableFuture<Product> read = new CompletableFuture<>();
			Thread reader = new Thread(() -> {
				try {
					read.complete(b.service(0).find(id));
				}
				catch (Throwable ex) {
					read.completeExceptionally(ex);
				}
			}, "review-reader");
			reader.start();
			assertThat(paused.reading.await(10, TimeUnit.SECONDS)).isTrue();

			Cache<String, Object> copies = copies(evictionsB);
			synchronized (stripe) {
				paused.release.countDown();
				// the read registered key 1 in the map and waits for the stripe to keep its copy
				await().atMost(SOON).until(() -> reader.getState() == Thread.State.BLOCKED);
				assertThat(copies.asMap()).containsKey(entry);
				// another key of B registers its own mapping: the bound (1) evicts key 1's
				assertThat(b.service(0).find(otherId).name()).isEqualTo("v1");
				copies.cleanUp();
				assertThat(copies.asMap()).as("the bound evicted key 1's mapping").doesNotContainKey(entry);
			}
			assertThat(read.get(10, TimeUnit.SECONDS).name()).isEqualTo("v1");

			// A evicts key 1 and loads v2; B hears the eviction and the completion
			long heard = nearB.count(entry);
			String next = "v" + this.version.incrementAndGet();
			a.registry(0).instance("products").evict(id);
			assertThat(a.service(0).find(id).name()).isEqualTo(next);
			await().atMost(SOON).until(() -> nearB.count(entry) >= heard + 2);

			assertThat(b.service(0).find(id).name()).as("B after it heard the eviction of key 1").isEqualTo(next);
		}
	}

	private static Object stripe(NearCache near, String entry) throws Exception {
		Method method = NearCache.class.getDeclaredMethod("stripe", String.class);
		method.setAccessible(true);
		return method.invoke(near, entry);
	}

	@SuppressWarnings("unchecked")
	private static Cache<String, Object> copies(InstanceEvictions evictions) throws Exception {
		Field field = InstanceEvictions.class.getDeclaredField("copies");
		field.setAccessible(true);
		return (Cache<String, Object>) field.get(evictions);
	}

}
