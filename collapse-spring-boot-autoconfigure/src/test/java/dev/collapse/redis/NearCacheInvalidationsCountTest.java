package dev.collapse.redis;

import java.lang.reflect.Field;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.LocalStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code collapse.redis.near-cache.invalidations} counts copies that messages dropped
 * (docs/observability.md), not the copies that go when the bounded map of entry keys, through
 * which messages find copies, drops the link of one: those go silently.
 */
class NearCacheInvalidationsCountTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static final int KEYS = 30;

	@Test
	void copiesDroppedBecauseTheirLinkWasEvictedBySizeAreNotCountedAsInvalidations() throws Exception {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v1"));
		// the store holds every copy; the map of entry keys (bounded by max-entries) holds four links
		LocalStore store = new LocalStore(10_000, Ticker.systemTicker());
		try (Fleet fleet = Fleet.start(1, redis, upstream, Map.of("collapseLocalStore", store),
				"collapse.local.max-entries=4")) {
			InstanceEvictions evictions = fleet.layer(0).evictions("products");
			Cache<String, Object> links = links(evictions);
			for (long id = 1; id <= KEYS; id++) {
				assertThat(fleet.service(0).find(id).name()).isEqualTo("v1");
			}
			links.cleanUp();
			assertThat(links.estimatedSize()).as("links left by the bound").isLessThanOrEqualTo(4);
			assertThat(fleet.events(0, "copyInvalidated")).as("copies dropped with their link, no message").isZero();

			// the copy went with its link all the same: the key is read from Redis again
			long unlinked = 1;
			while (links.asMap().containsKey(evictions.entry(unlinked))) {
				unlinked++;
			}
			long gets = gets();
			assertThat(fleet.service(0).find(unlinked).name()).isEqualTo("v1");
			assertThat(gets()).as("GETs for a key whose link went").isEqualTo(gets + 1);
		}
	}

	@SuppressWarnings("unchecked")
	private static Cache<String, Object> links(InstanceEvictions evictions) throws Exception {
		Field field = InstanceEvictions.class.getDeclaredField("copies");
		field.setAccessible(true);
		return (Cache<String, Object>) field.get(evictions);
	}

	private static long gets() {
		return RedisCommandsPerHitTest.commandCalls(redis.server()).getOrDefault("get", 0L);
	}

}
