package dev.collapse.core;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedLayer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a distributed layer, {@link Collapser#evict} reaches the fleet's store even for a name this
 * node never used: another node may have stored the entry (a node that only writes, for one).
 */
class EvictWithoutAnInstanceTest {

	private final RecordingLayer layer = new RecordingLayer();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(1_000, new ManualTicker()),
			(name) -> Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true), List.of(), null, this.layer);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void aNameThisNodeNeverUsedIsEvictedInTheFleet() {
		this.registry.evict("products", 7L);

		assertThat(this.layer.evicted).containsExactly(Map.entry("products", 7L));
		assertThat(this.registry.find("products")).as("nothing created for it").isEmpty();
	}

	@Test
	void theFleetGetsTheKeyAsAnnotatedMethodsMakeIt() {
		this.registry.evict("codes", new byte[] { 1, 2 });

		assertThat(this.layer.evicted).containsExactly(Map.entry("codes", Keys.normalize(new byte[] { 1, 2 })));
	}

	@Test
	void anInstanceWithoutValueTypeIsEvictedHereAndInTheFleet() {
		AtomicInteger loads = new AtomicInteger();
		this.registry.collapse("rates", "EUR", loads::incrementAndGet);

		this.registry.evict("rates", "EUR");

		this.registry.collapse("rates", "EUR", loads::incrementAndGet);
		assertThat(loads).as("the local entry went").hasValue(2);
		assertThat(this.layer.evicted).containsExactly(Map.entry("rates", "EUR"));
	}

	@Test
	void evictAllOfANameThisNodeNeverUsedStillReachesTheFleet() {
		this.registry.evictAll("rates");
		assertThat(this.layer.evicted).containsExactly(Map.entry("rates", "*"));
	}

	/** Records the fleet evictions it is asked for; no instance here gets a coordinator. */
	static final class RecordingLayer implements DistributedLayer {

		final List<Map.Entry<String, Object>> evicted = new CopyOnWriteArrayList<>();

		@Override
		public DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType) {
			throw new UnsupportedOperationException("no typed instance in these tests");
		}

		@Override
		public boolean evict(String name, Object key) {
			this.evicted.add(Map.entry(name, key));
			return true;
		}

		@Override
		public boolean evictAll(String name) {
			this.evicted.add(Map.entry(name, "*"));
			return true;
		}

	}

}
