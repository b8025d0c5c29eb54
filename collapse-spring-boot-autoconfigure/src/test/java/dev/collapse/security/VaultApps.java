package dev.collapse.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.collapse.redis.RedisDistributedLayer;

import static org.awaitility.Awaitility.await;

/** Starts applications with {@link VaultService} on a Redis, in this JVM. */
final class VaultApps {

	private VaultApps() {
	}

	/** An application on the Redis of {@code redis} properties, once it is connected and subscribed. */
	static ConfigurableApplicationContext start(String node, VaultService.Loads loads, String[] redis,
			String... properties) {
		ConfigurableApplicationContext context = startUnchecked(node, loads, redis, properties);
		RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> layer.available() && layer.subscribed());
		}
		catch (RuntimeException | Error ex) {
			context.close();
			throw ex;
		}
		return context;
	}

	static ConfigurableApplicationContext startUnchecked(String node, VaultService.Loads loads, String[] redis,
			String... properties) {
		List<String> all = new ArrayList<>(List.of(redis));
		all.addAll(List.of("collapse.redis.enabled=true", "collapse.redis.lease=2s",
				"collapse.redis.command-timeout=500ms", "collapse.redis.probe-interval=200ms",
				"collapse.defaults.wait-timeout=10s", "spring.main.banner-mode=off", "vault.node=" + node));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("loads", loads))
			.run();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		VaultService vaultService(VaultService.Loads loads, Environment environment) {
			return new VaultService(loads, environment.getRequiredProperty("vault.node"));
		}

	}

}
