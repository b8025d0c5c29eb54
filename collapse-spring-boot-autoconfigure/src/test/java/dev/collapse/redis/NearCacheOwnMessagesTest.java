package dev.collapse.redis;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The near cache and a node's own messages (docs/redis.md, Near cache): what a node did itself
 * may reach it only through its own message, and the copies it keeps must not outlive that.
 */
class NearCacheOwnMessagesTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/** What the upstream answers now: "v" and this number. */
	private final AtomicInteger version = new AtomicInteger(1);

	private Upstream upstream() {
		Upstream upstream = new Upstream();
		upstream.behave((node, key) -> new Product(((Number) key).longValue(), "v" + this.version.get()));
		return upstream;
	}

	/**
	 * Forced state: node A's evictAll ran in Redis but its reply was lost, so A adopted no
	 * generation and dropped no copy; its copy of the old generation's entry is still in its store.
	 * Then A's own G message arrives: it moves A's generation, and must drop the copy with it.
	 */
	@Test
	void itsOwnEvictAllMessageDropsCopiesWhenTheScriptsReplyWasLost() throws Exception {
		try (Fleet a = Fleet.start(1, redis, upstream())) {
			long id = 1;
			assertThat(a.service(0).find(id).name()).isEqualTo("v1");
			InstanceEvictions evictions = a.layer(0).evictions("products");
			long generation = evictions.generation();
			assertThat(generation).isNotNegative();

			// the script's effect in Redis, without its reply reaching A
			String next = "v" + this.version.incrementAndGet();
			String generationKey = RedisKeys.generation(evictions.instancePrefix());
			assertThat(redis.server().cli("INCR", generationKey).trim()).isEqualTo(Long.toString(generation + 1));
			assertThat(a.service(0).find(id).name()).as("A's copy, the reply lost").isEqualTo("v1");

			// A's own message
			a.layer(0).channel()
				.deliver(CompletionMessage.evictedAll(a.layer(0).leases().nodeId(), evictions.instancePrefix())
						+ (generation + 1));
			assertThat(evictions.generation()).isEqualTo(generation + 1);
			assertThat(a.service(0).find(id).name()).as("A once it heard its own evictAll").isEqualTo(next);
		}
	}

}
