package dev.collapse.security;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseRedisAutoConfiguration;
import dev.collapse.autoconfigure.CollapseRedisClasspathAutoConfiguration;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a user sees for each Redis setting a careful user could get wrong: a clear startup error
 * where the application cannot work as configured, one clear warning where it works but not as the
 * user meant, and nothing where the setting is fine (a lease shorter than the wait timeout).
 */
@ExtendWith(OutputCaptureExtension.class)
class BadRedisConfigurationTest {

	static final String DATA_REDIS = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";

	static final String FALLBACK_WARNING = "Redis does not answer";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClassUtils.resolveClassName(DATA_REDIS, null),
					CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class,
					CollapseRedisClasspathAutoConfiguration.class))
			.withUserConfiguration(VaultConfig.class)
			.withPropertyValues("collapse.redis.enabled=true", "collapse.redis.key-prefix=config:",
					"collapse.redis.command-timeout=200ms", "collapse.redis.probe-interval=100ms");
	}

	private static int occurrences(String text, String part) {
		Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	@Test
	void noRedisReachableTheApplicationStartsFallsBackAndWarnsOnce(CapturedOutput output) throws Exception {
		int closed = closedPort();
		runner().withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closed)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
				VaultService vault = context.getBean(VaultService.class);
				for (int i = 0; i < 5; i++) {
					assertThat(vault.find("k" + i)).isEqualTo(new Secret(1, "v-k" + i));
				}
				// the warning comes from the first failed probe, on the layer's scheduler (late on a
				// loaded machine); several probes fail after it (every ~100 ms): still one warning
				await().atMost(Duration.ofSeconds(10)).until(() -> occurrences(output.toString(), FALLBACK_WARNING) > 0);
				await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> !layer.available());
				assertThat(occurrences(output.toString(), FALLBACK_WARNING)).as(output.toString()).isEqualTo(1);
				assertThat(output.toString()).contains("calls are collapsed in each JVM only until it does");
			});
	}

	@Test
	void wrongPasswordTheApplicationStartsFallsBackAndTheWarningSaysWhy(CapturedOutput output) {
		runner().withPropertyValues(redis.properties())
			// room for a cold JVM's first handshake on a loaded machine (2 s was seen to time the
			// handshake out in a full build): the refused AUTH, not a slow connect, is what fails
			.withPropertyValues("spring.data.redis.username=nobody", "spring.data.redis.password=wrong",
					"collapse.redis.command-timeout=5s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(VaultService.class).find("k")).isEqualTo(new Secret(1, "v-k"));
				assertThat(context.getBean(RedisDistributedLayer.class).available()).isFalse();
				await().atMost(Duration.ofSeconds(10)).until(() -> occurrences(output.toString(), FALLBACK_WARNING) > 0);
				assertThat(occurrences(output.toString(), FALLBACK_WARNING)).isEqualTo(1);
				assertThat(output.toString()).contains("WRONGPASS").doesNotContain("password=wrong");
			});
	}

	@Test
	void anEmptyKeyPrefixFailsAtStartupNamingTheProperty() {
		for (String empty : List.of("", " ")) {
			runner().withPropertyValues(redis.properties()).withPropertyValues("collapse.redis.key-prefix=" + empty)
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(configurationFailure(context.getStartupFailure()).getMessage())
						.contains("collapse.redis.key-prefix")
						.contains("must not be empty");
				});
		}
	}

	@Test
	void aKeyPrefixWithoutATrailingSeparatorWorksWithOneWarning(CapturedOutput output) {
		runner().withPropertyValues(redis.properties()).withPropertyValues("collapse.redis.key-prefix=myapp")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(VaultService.class).find("k")).isEqualTo(new Secret(1, "v-k"));
				assertThat(occurrences(output.toString(), "does not end with a separator")).isEqualTo(1);
				assertThat(output.toString()).contains("collapse.redis.key-prefix 'myapp'");
			});
	}

	@Test
	void aKeyPrefixWithATrailingSeparatorGivesNoWarning(CapturedOutput output) {
		for (String prefix : List.of("myapp:", "myapp-", "my.app.", "myapp/")) {
			runner().withPropertyValues(redis.properties()).withPropertyValues("collapse.redis.key-prefix=" + prefix)
				.run((context) -> assertThat(context).hasNotFailed());
		}
		assertThat(output.toString()).doesNotContain("does not end with a separator");
	}

	@Test
	void timingsThatCannotWorkFailAtStartupNamingTheProperty() {
		String[][] cases = { { "collapse.redis.lease=2ms", "collapse.redis.lease" },
				{ "collapse.redis.command-timeout=0s", "collapse.redis.command-timeout" },
				{ "collapse.redis.probe-interval=-1s", "collapse.redis.probe-interval" },
				{ "collapse.redis.max-entry-size=10B", "collapse.redis.max-entry-size" },
				{ "collapse.redis.subscription-check=0s", "collapse.redis.subscription-check" } };
		for (String[] bad : cases) {
			runner().withPropertyValues(redis.properties()).withPropertyValues(bad[0]).run((context) -> {
				assertThat(context).as(bad[0]).hasFailed();
				assertThat(configurationFailure(context.getStartupFailure()).getMessage()).as(bad[0]).contains(bad[1]);
			});
		}
	}

	@Test
	void redisEnabledWithoutLettuceOnTheClasspathStartsLocalAndWarnsOnce(CapturedOutput output) {
		runner().withClassLoader(new FilteredClassLoader(RedisClient.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedisDistributedLayer.class);
			assertThat(context.getBean(VaultService.class).find("k")).isEqualTo(new Secret(1, "v-k"));
		});
		assertThat(occurrences(output.toString(), "collapse.redis.enabled=true, but")).isEqualTo(1);
		assertThat(output.toString()).contains("lettuce-core").contains("collapsed in each JVM only");
	}

	@Test
	void withLettuceOnTheClasspathThereIsNoClasspathWarning(CapturedOutput output) {
		runner().withPropertyValues(redis.properties()).run((context) -> assertThat(context).hasNotFailed());
		assertThat(output.toString()).doesNotContain("collapse.redis.enabled=true, but");
	}

	/**
	 * A lease shorter than the wait timeout is fine, and needs no warning: the leader renews it
	 * every third of it while it loads, so a load that lasts several leases still runs once for the
	 * fleet, and its followers wait for it rather than time out or load again.
	 */
	@Test
	void aLeaseShorterThanTheWaitTimeoutStillCollapsesALoadThatLastsSeveralLeases(CapturedOutput output)
			throws Exception {
		VaultService.Loads loads = new VaultService.Loads();
		String[] properties = { "collapse.redis.key-prefix=shortlease:", "collapse.redis.lease=300ms",
				"collapse.defaults.wait-timeout=10s" };
		try (ConfigurableApplicationContext node0 = VaultApps.start("node0", loads, redis.properties(), properties);
				ConfigurableApplicationContext node1 = VaultApps.start("node1", loads, redis.properties(), properties)) {
			CountDownLatch arrived = new CountDownLatch(10);
			loads.behave((node, key) -> {
				arrived.await(10, TimeUnit.SECONDS);
				// four leases long
				Thread.sleep(1200);
				return new Secret(1, "slow");
			});
			ExecutorService pool = Executors.newFixedThreadPool(10);
			List<Future<Secret>> herd = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				VaultService vault = ((i % 2 == 0) ? node0 : node1).getBean(VaultService.class);
				herd.add(pool.submit(() -> {
					arrived.countDown();
					return vault.find("slow");
				}));
			}
			for (Future<Secret> each : herd) {
				assertThat(each.get(15, TimeUnit.SECONDS)).isEqualTo(new Secret(1, "slow"));
			}
			pool.shutdown();
			assertThat(loads.count()).as("one load for the fleet, though it lasted four leases").isEqualTo(1);
		}
		assertThat(output.toString()).doesNotContain("WARN");
	}

	private static CollapseConfigurationException configurationFailure(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof CollapseConfigurationException configuration) {
				return configuration;
			}
		}
		throw new AssertionError("no CollapseConfigurationException in the causes of " + failure, failure);
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class VaultConfig {

		@Bean
		VaultService vaultService() {
			return new VaultService(new VaultService.Loads(), "config");
		}

	}

}
