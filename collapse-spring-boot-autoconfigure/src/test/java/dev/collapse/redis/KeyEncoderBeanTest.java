package dev.collapse.redis;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.core.Collapser;
import dev.collapse.core.KeyEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@link KeyEncoder} bean shares keys of a plain class through Redis, faithfully (issue 14). */
class KeyEncoderBeanTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static Fleet fleet;

	@Configuration(proxyBeanMethods = false)
	static class Encoders {

		@Bean
		KeyEncoder tenantScopedKeys() {
			return (key) -> (key instanceof TenantScoped scoped) ? scoped.tenant() + "/" + scoped.getId() : null;
		}

	}

	@BeforeAll
	static void startFleet() {
		fleet = Fleet.start(2, redis, new Upstream(), "collapse.redis.lease=10s", "collapse.redis.command-timeout=2s",
				"collapse.defaults.ttl=1m", "spring.main.sources=" + Encoders.class.getName());
	}

	@AfterAll
	static void stopFleet() {
		if (fleet != null) {
			fleet.close();
		}
	}

	private static String call(int node, Object key, String value) {
		return fleet.nodes.get(node).getBean(Collapser.class).collapse("tenants", key, String.class, () -> value);
	}

	@Test
	void equalKeysShareOneEntryAndTenantsStayApart() {
		assertThat(call(0, new TenantScoped("t1", 42), "t1 from node0")).isEqualTo("t1 from node0");
		assertThat(call(1, new TenantScoped("t1", 42), "t1 from node1")).as("read from Redis").isEqualTo("t1 from node0");
		assertThat(call(1, new TenantScoped("t2", 42), "t2 from node1")).isEqualTo("t2 from node1");
		assertThat(fleet.events(0, "fallback") + fleet.events(1, "fallback")).isZero();
	}

}
