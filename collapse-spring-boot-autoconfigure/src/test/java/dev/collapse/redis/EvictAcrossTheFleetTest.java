package dev.collapse.redis;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.Collapser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Evictions reach the fleet: {@code @CollapseEvict} on one node deletes the Redis entry another
 * node reads, and so does {@link Collapser#evict} on a node that never used the name.
 */
class EvictAcrossTheFleetTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final Upstream upstream = new Upstream();

	static Fleet fleet;

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(3, redis, upstream, "collapse.instances.adhoc.ttl=1m");
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	/**
	 * Node 1 stores product 7 in Redis; node 0 updates it through its annotated writer; node 2,
	 * which holds nothing locally, reads Redis: the entry is gone, so it loads the new row.
	 */
	@Test
	void anAnnotatedWriterOnOneNodeRemovesTheEntryAnotherNodeReads() throws Exception {
		upstream.reset();
		upstream.behave((node, key) -> new Product((Long) key, "old"));
		assertThat(fleet.service(1).find(7).name()).isEqualTo("old");

		upstream.behave((node, key) -> new Product((Long) key, "new"));
		fleet.service(0).update(new Product(7, "new"));

		assertThat(fleet.service(2).find(7).name()).isEqualTo("new");
		assertThat(upstream.loads()).as("loaded again once, by the reading node").isEqualTo(2);
	}

	@Test
	void withoutTheWriterTheOtherNodeReadsTheStoredEntry() throws Exception {
		upstream.reset();
		upstream.behave((node, key) -> new Product((Long) key, "old"));
		assertThat(fleet.service(1).find(8).name()).isEqualTo("old");

		upstream.behave((node, key) -> new Product((Long) key, "new"));

		assertThat(fleet.service(2).find(8).name()).as("the control: Redis serves node 1's entry").isEqualTo("old");
		assertThat(upstream.loads()).isEqualTo(1);
	}

	/** A node that only writes never created the instance: its eviction still reaches Redis. */
	@Test
	void aNodeThatNeverUsedTheNameStillEvictsInRedis() {
		AtomicInteger loads = new AtomicInteger();
		collapser(1).collapse("adhoc", 9L, Product.class, () -> new Product(9, "v" + loads.incrementAndGet()));
		assertThat(fleet.registry(0).find("adhoc")).as("node 0 never used it").isEmpty();

		collapser(0).evict("adhoc", 9L);

		Product read = collapser(2).collapse("adhoc", 9L, Product.class,
				() -> new Product(9, "v" + loads.incrementAndGet()));
		assertThat(read.name()).isEqualTo("v2");
	}

	private static Collapser collapser(int node) {
		return fleet.nodes.get(node).getBean(Collapser.class);
	}

}
