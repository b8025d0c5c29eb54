package dev.collapse.security;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.chaos.Resp;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The least-privilege user of docs/redis.md ({@code ~<prefix>*}, {@code &<prefix>*} and a few
 * commands) runs collapse end to end, and cannot reach anything else: other keys, other channels,
 * keys named only inside a script, or admin commands. (RedisAclTest proves a whole fleet herd
 * with the same user.)
 */
class LeastPrivilegeAclTest {

	static final String PREFIX = "lp:";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void theCollapseUserWorksEndToEndAndReachesNothingElse() throws Exception {
		try (Resp admin = new Resp(redis.server().port())) {
			assertThat(admin.text("ACL", "SETUSER", "collapse", "on", ">secret", "resetkeys", "~" + PREFIX + "*",
					"resetchannels", "&" + PREFIX + "*", "-@all", "+get", "+del", "+eval", "+evalsha", "+ping",
					"+subscribe", "+publish", "+set", "+pexpire", "+pttl")).isEqualTo("OK");
			assertThat(admin.text("SET", "otherkey", "not yours")).isEqualTo("OK");
		}
		List<String> properties = new ArrayList<>(List.of(redis.properties()));
		properties.addAll(List.of("spring.data.redis.username=collapse", "spring.data.redis.password=secret"));
		VaultService.Loads loads = new VaultService.Loads();
		try (ConfigurableApplicationContext node0 = VaultApps.start("node0", loads, properties.toArray(String[]::new),
				"collapse.redis.key-prefix=" + PREFIX);
				ConfigurableApplicationContext node1 = VaultApps.start("node1", loads,
						properties.toArray(String[]::new), "collapse.redis.key-prefix=" + PREFIX)) {
			assertThat(node0.getBean(VaultService.class).find("a")).isEqualTo(new Secret(1, "v-a"));
			assertThat(node1.getBean(VaultService.class).find("a")).isEqualTo(new Secret(1, "v-a"));
			assertThat(loads.count()).as("node1 read node0's entry").isEqualTo(1);
			assertThat(node0.getBean(RedisDistributedLayer.class).available()).isTrue();
			assertThat(node1.getBean(RedisDistributedLayer.class).available()).isTrue();
		}

		try (Resp user = new Resp(redis.server().port())) {
			assertThat(user.text("AUTH", "collapse", "secret")).isEqualTo("OK");
			assertThat(user.text("SET", PREFIX + "mine", "ok")).as("its own keys").isEqualTo("OK");
			assertThat(user.text("GET", PREFIX + "mine")).isEqualTo("ok");
			assertNoPerm(user.call("GET", "otherkey"), "GET of another key");
			assertNoPerm(user.call("SET", "otherkey", "overwritten"), "SET of another key");
			assertNoPerm(user.call("DEL", "otherkey"), "DEL of another key");
			assertNoPerm(user.call("EVAL", "return redis.call('GET', KEYS[1])", "1", "otherkey"),
					"a script given another key");
			assertNoPerm(user.call("EVAL", "return redis.call('GET', 'otherkey')", "0"), "a script naming another key");
			assertNoPerm(user.call("PUBLISH", "other-channel", "hello"), "PUBLISH on another channel");
			assertNoPerm(user.call("KEYS", "*"), "KEYS");
			assertNoPerm(user.call("FLUSHALL"), "FLUSHALL");
			assertNoPerm(user.call("CONFIG", "GET", "*"), "CONFIG");
			assertNoPerm(user.call("ACL", "WHOAMI"), "ACL");
			assertNoPerm(user.call("SUBSCRIBE", "other-channel"), "SUBSCRIBE to another channel");
		}
		try (Resp admin = new Resp(redis.server().port())) {
			assertThat(admin.text("GET", "otherkey")).as("untouched").isEqualTo("not yours");
		}
	}

	private static void assertNoPerm(Object reply, String what) {
		assertThat(reply).as(what + " is refused").isInstanceOf(Resp.Error.class);
		// Redis 7.0 reports a key named inside a script as "ERR ... can't access", later versions as NOPERM
		assertThat(((Resp.Error) reply).message()).as(what).containsAnyOf("NOPERM", "can't access");
	}

}
