package dev.collapse.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.core.CallResult;

import static org.assertj.core.api.Assertions.assertThat;

/** The least-privilege Redis user of docs/redis.md is enough for the whole protocol. */
class RedisAclTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void documentedLeastPrivilegeUserRunsAFleetHerd() throws Exception {
		String prefix = "acl:";
		assertThat(redis.server()
			.cli("ACL", "SETUSER", "collapse", "on", ">secret", "resetkeys", "~" + prefix + "*", "resetchannels",
					"&" + prefix + "*", "-@all", "+get", "+del", "+eval", "+evalsha", "+ping", "+subscribe", "+publish",
					"+set", "+pexpire", "+pttl")
			.trim()).isEqualTo("OK");
		RedisProperties user = () -> {
			List<String> properties = new ArrayList<>(List.of(redis.properties()));
			properties.addAll(List.of("spring.data.redis.username=collapse", "spring.data.redis.password=secret"));
			return properties.toArray(String[]::new);
		};
		Upstream upstream = new Upstream();
		try (Fleet fleet = Fleet.start(2, user, upstream, "collapse.redis.key-prefix=" + prefix)) {
			CountDownLatch arrived = new CountDownLatch(40);
			upstream.behave((node, key) -> {
				FleetHerdTest.awaitHerd(arrived, 2, "products", fleet);
				return new Product((Long) key, "acl");
			});
			List<Future<Product>> all = Herd.run(2, 20, arrived, (node) -> () -> fleet.service(node).find(51L));
			assertThat(Herd.values(all, 20)).hasSize(40).containsOnly(new Product(51, "acl"));
			assertThat(upstream.loads()).isEqualTo(1);
			assertThat(fleet.calls(0, CallResult.FALLBACK) + fleet.calls(1, CallResult.FALLBACK)).isZero();
			fleet.nodes.get(0).getBean(dev.collapse.core.Collapser.class).evict("products", 51L);
			assertThat(fleet.layer(0).available()).isTrue();
		}
	}

}
