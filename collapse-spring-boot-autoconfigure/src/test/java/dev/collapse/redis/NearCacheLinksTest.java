package dev.collapse.redis;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The links from entry keys to keys by which messages find this node's copies (near cache): a
 * copy that is refused (a message came since its read began) leaves no link behind, so that dead
 * links never push live ones out of the links' bound; a link that a copy went in through stays.
 */
class NearCacheLinksTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void aRefusedCopyLeavesNoLinkAndKeepsTheLinkOfAKeptOne() throws Exception {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v1"));
		// a long subscription check: no stall noticed on a loaded machine drops every link meanwhile
		try (Fleet fleet = Fleet.start(1, redis, upstream, "collapse.redis.subscription-check=60s")) {
			InstanceEvictions evictions = fleet.layer(0).evictions("products");
			NearCache near = fleet.layer(0).near();
			Cache<String, Object> links = links(evictions);
			Long key = 1L;
			String entry = evictions.entry(key);
			AtomicInteger stored = new AtomicInteger();

			// a read began, then a message about its entry came: its copy is refused
			NearCache.Stamp stamp = near.stamp(entry);
			near.touch(entry);
			assertThat(evictions.keepCopy(stamp, key, "other:1", stored::incrementAndGet)).isFalse();
			assertThat(links.asMap()).as("links after a refused copy").doesNotContainKey(entry);

			assertThat(evictions.keepCopy(near.stamp(entry), key, "other:1", stored::incrementAndGet)).isTrue();
			assertThat(stored).hasValue(1);
			assertThat(links.asMap()).as("the link of a kept copy").containsKey(entry);

			// another read of the key, refused: the kept copy's link stays
			stamp = near.stamp(entry);
			near.touch(entry);
			assertThat(evictions.keepCopy(stamp, key, "other:2", stored::incrementAndGet)).isFalse();
			assertThat(links.asMap()).as("the kept copy's link after a refused one").containsKey(entry);
			assertThat(stored).hasValue(1);
		}
	}

	@SuppressWarnings("unchecked")
	private static Cache<String, Object> links(InstanceEvictions evictions) throws Exception {
		Field field = InstanceEvictions.class.getDeclaredField("copies");
		field.setAccessible(true);
		return (Cache<String, Object>) field.get(evictions);
	}

}
