package dev.collapse.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.collapse.annotation.Collapsed;

import static org.assertj.core.api.Assertions.assertThat;

/** A {@code void} method's completion is stored in Redis like a result: the other node reuses it. */
class VoidAcrossTheFleetTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final AtomicInteger runs = new AtomicInteger();

	private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	@AfterEach
	void stop() {
		this.nodes.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void theCompletionOfOneNodesRunIsReusedByTheOther() {
		String prefix = "v" + UUID.randomUUID().toString().substring(0, 8) + ":";
		for (int i = 0; i < 2; i++) {
			List<String> properties = new ArrayList<>(List.of(redis.properties()));
			properties.addAll(List.of("collapse.redis.enabled=true", "collapse.redis.key-prefix=" + prefix,
					"spring.main.banner-mode=off"));
			this.nodes.add(new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
				.properties(properties.toArray(String[]::new))
				.run());
		}
		this.nodes.get(0).getBean(Warmer.class).warm("eu");
		this.nodes.get(1).getBean(Warmer.class).warm("eu");
		this.nodes.get(1).getBean(Warmer.class).warm("us");
		assertThat(runs).hasValue(2);
		assertThat(redis.server().cli("EXISTS", prefix + "{warm:s2:eu}").trim()).isEqualTo("1");
	}

	public static class Warmer {

		@Collapsed(name = "warm", ttl = "1h")
		public void warm(String region) {
			runs.incrementAndGet();
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Warmer warmer() {
			return new Warmer();
		}

	}

}
