package dev.collapse.redis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet herd on a three-master Redis Cluster: entry and lease share a slot, Pub/Sub spans the nodes. */
class ClusterHerdTest {

	@RegisterExtension
	static final RedisServerExtension cluster = RedisServerExtension.cluster();

	@Test
	void thousandCallersOnFourNodesShareOneLoadOnACluster() throws Exception {
		Upstream upstream = new Upstream();
		try (Fleet fleet = Fleet.start(4, cluster, upstream)) {
			FleetHerdTest.assertOneLoadForTheFleet(fleet, upstream, 3003L);
			// keys of other slots work as well: each of these lands wherever its hash tag says
			upstream.behave((node, key) -> new Product((Long) key, "p" + key));
			for (long id = 1; id <= 20; id++) {
				assertThat(fleet.service((int) (id % 4)).find(id).id()).isEqualTo(id);
				assertThat(fleet.service((int) ((id + 1) % 4)).find(id).id()).isEqualTo(id);
			}
			assertThat(upstream.loads()).isEqualTo(1 + 20);
		}
	}

}
