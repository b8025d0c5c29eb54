package dev.collapse.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.chaos.Resp;
import dev.collapse.core.Collapser;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * With every logger of collapse at TRACE, a secret key and a secret value go through every path
 * that logs (herds, remote hits, corrupt and over-size entries, a failed load, an eviction, Redis
 * falling back and coming back): no log line, no meter and no endpoint output contains them.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutOfLogsTest {

	static final String SECRET_KEY = "s3cr3t-k3y-7f1a";

	static final String SECRET_VALUE = "s3cr3t-v4lue-9c2e";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void noLogLineMeterOrEndpointOutputContainsASecretKeyOrValue(CapturedOutput output) throws Exception {
		VaultService.Loads loads = new VaultService.Loads();
		String[] properties = { "collapse.redis.key-prefix=secrets:", "collapse.redis.max-entry-size=1KB",
				"logging.level.dev.collapse=TRACE", "collapse.herd.warn-threshold=1",
				"management.endpoints.web.exposure.include=collapse,health", "management.endpoint.health.show-details=always",
				"collapse.redis.fallback-log-interval=0s" };
		try (ConfigurableApplicationContext node0 = VaultApps.start("node0", loads, redis.properties(), properties);
				ConfigurableApplicationContext node1 = VaultApps.start("node1", loads, redis.properties(), properties);
				Resp resp = new Resp(redis.server().port())) {
			assertThat(LogFactory.getLog("dev.collapse.redis.RedisInstanceCoordinator").isTraceEnabled())
				.as("TRACE is on for collapse").isTrue();
			VaultService vault0 = node0.getBean(VaultService.class);
			VaultService vault1 = node1.getBean(VaultService.class);

			// a herd on one node (leader, followers, herd warning), then a remote hit on the other
			CountDownLatch arrived = new CountDownLatch(8);
			loads.behave((node, key) -> {
				arrived.await(10, TimeUnit.SECONDS);
				return new Secret(1, SECRET_VALUE);
			});
			ExecutorService pool = Executors.newFixedThreadPool(8);
			List<Future<Secret>> herd = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				herd.add(pool.submit(() -> {
					arrived.countDown();
					return vault0.find(SECRET_KEY);
				}));
			}
			for (Future<Secret> each : herd) {
				assertThat(each.get(10, TimeUnit.SECONDS).text()).isEqualTo(SECRET_VALUE);
			}
			pool.shutdown();
			assertThat(vault1.find(SECRET_KEY).text()).isEqualTo(SECRET_VALUE);

			// a corrupt entry that holds the secret, and a foreign type under a secret key
			loads.behave((node, key) -> new Secret(2, SECRET_VALUE + key));
			vault0.find(SECRET_KEY + "-corrupt");
			byte[] corrupt = resp.scan("secrets:{vault:*-corrupt}").get(0);
			resp.call("SET", corrupt, "c1;" + (System.currentTimeMillis() + 60_000) + ";0;s" + SECRET_KEY + ";{\"text\":["
					+ SECRET_VALUE + "]}");
			assertThat(vault1.find(SECRET_KEY + "-corrupt").text()).startsWith(SECRET_VALUE);
			resp.call("DEL", corrupt);
			resp.call("HSET", corrupt, SECRET_KEY, SECRET_VALUE);
			assertThat(vault1.find(SECRET_KEY + "-corrupt").text()).startsWith(SECRET_VALUE);

			// a result over the size limit, which is refused for Redis
			loads.behave((node, key) -> new Secret(3, (SECRET_VALUE + " ").repeat(100)));
			assertThat(vault0.find(SECRET_KEY + "-big").text()).startsWith(SECRET_VALUE);

			// a failed load, whose exception the caller gets but no log repeats
			loads.behave((node, key) -> {
				throw new IllegalStateException("upstream failed for " + key);
			});
			assertThatThrownBy(() -> vault0.find(SECRET_KEY + "-fails")).hasMessageContaining(SECRET_KEY);

			// an eviction, locally and in Redis
			node0.getBean(Collapser.class).evict("vault", SECRET_KEY);

			// Redis pauses: the call falls back (logged), then Redis is used again (logged)
			loads.behave((node, key) -> new Secret(4, SECRET_VALUE));
			resp.call("CLIENT", "PAUSE", "1500", "ALL");
			assertThat(vault0.find(SECRET_KEY + "-paused").text()).isEqualTo(SECRET_VALUE);
			RedisDistributedLayer layer = node0.getBean(RedisDistributedLayer.class);
			await().atMost(Duration.ofSeconds(10)).until(layer::available);

			// what an operator sees: meters, the endpoint, health
			List<String> seen = new ArrayList<>();
			for (ConfigurableApplicationContext node : List.of(node0, node1)) {
				for (Meter meter : node.getBean(MeterRegistry.class).getMeters()) {
					seen.add(meter.getId().toString());
				}
				JsonMapper json = JsonMapper.builder().build();
				CollapseEndpoint endpoint = node.getBean(CollapseEndpoint.class);
				seen.add(json.writeValueAsString(endpoint.collapse()));
				seen.add(json.writeValueAsString(endpoint.instance("vault")));
				node.getBeanProvider(org.springframework.boot.health.contributor.HealthIndicator.class)
					.forEach((health) -> seen.add(json.writeValueAsString(health.health(true))));
			}
			assertThat(seen).as("meters and endpoint output exist").anyMatch((text) -> text.contains("collapse.calls"))
				.anyMatch((text) -> text.contains("vault"));
			for (String text : seen) {
				assertThat(text).doesNotContain("s3cr3t");
			}
		}
		// the logs did see each path (so this test can fail), yet no secret
		assertThat(output.getOut() + output.getErr()).contains("could not be read")
			.contains("max-entry-size")
			.contains("Redis does not answer")
			.contains("one load served")
			.doesNotContain("s3cr3t");
	}

}
