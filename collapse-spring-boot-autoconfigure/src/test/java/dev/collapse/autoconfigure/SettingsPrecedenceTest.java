package dev.collapse.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each setting comes from {@code collapse.instances.<name>.*}, else the annotation's attribute,
 * else {@code collapse.defaults.*}; attributes take {@code ${...}} placeholders.
 */
class SettingsPrecedenceTest {

	@Test
	void instancePropertyOverAnnotationOverDefaults() {
		CollapseContexts.runner()
			.withBean(Tuned.class)
			.withPropertyValues("collapse.defaults.ttl=3m", "collapse.defaults.wait-timeout=4s",
					"collapse.defaults.cache-nulls=false", "collapse.instances.own.ttl=2m",
					"collapse.instances.own.jitter=1s", "collapse.instances.own.wait-timeout=5s",
					"collapse.instances.own.cache-nulls=true")
			.run((context) -> {
				CollapseSettings own = CollapseContexts.instance(context, "own").settings();
				assertThat(own.ttl()).as("property over attribute").isEqualTo(Duration.ofMinutes(2));
				assertThat(own.jitter().max(own.ttl())).as("property over attribute").isEqualTo(Duration.ofSeconds(1));
				assertThat(own.waitTimeout()).as("property over attribute").isEqualTo(Duration.ofSeconds(5));
				assertThat(own.cacheNulls()).as("property over default").isTrue();

				CollapseSettings annotated = CollapseContexts.instance(context, "annotated").settings();
				assertThat(annotated.ttl()).as("attribute over default").isEqualTo(Duration.ofMinutes(1));
				assertThat(annotated.jitter().max(annotated.ttl())).isEqualTo(Duration.ofSeconds(20));
				assertThat(annotated.waitTimeout()).isEqualTo(Duration.ofMillis(1500));
				assertThat(annotated.cacheNulls()).isFalse();

				CollapseSettings plain = CollapseContexts.instance(context, "plain").settings();
				assertThat(plain.ttl()).as("default").isEqualTo(Duration.ofMinutes(3));
				assertThat(plain.waitTimeout()).isEqualTo(Duration.ofSeconds(4));
				assertThat(plain.jitter().max(plain.ttl())).as("default jitter: 10%% of ttl")
					.isEqualTo(Duration.ofSeconds(18));
			});
	}

	@Test
	void builtInDefaults() {
		CollapseContexts.runner().withBean(Tuned.class).run((context) -> {
			CollapseSettings plain = CollapseContexts.instance(context, "plain").settings();
			assertThat(plain.ttl()).isZero();
			assertThat(plain.caches()).isFalse();
			assertThat(plain.waitTimeout()).isEqualTo(Duration.ofSeconds(10));
			assertThat(plain.cacheNulls()).isTrue();
			assertThat(plain.jitter().max(Duration.ofSeconds(100))).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void placeholdersInAttributes() {
		CollapseContexts.runner()
			.withBean(Tuned.class)
			.withPropertyValues("catalog.ttl=42s", "catalog.jitter=5s", "catalog.wait=750ms")
			.run((context) -> {
				CollapseSettings settings = CollapseContexts.instance(context, "placeholders").settings();
				assertThat(settings.ttl()).isEqualTo(Duration.ofSeconds(42));
				assertThat(settings.jitter().max(settings.ttl())).isEqualTo(Duration.ofSeconds(5));
				assertThat(settings.waitTimeout()).isEqualTo(Duration.ofMillis(750));
			});
	}

	@Test
	void percentJitterIsAShareOfTheResolvedTtl() {
		CollapseContexts.runner()
			.withBean(Tuned.class)
			.withPropertyValues("collapse.instances.percent.ttl=200s")
			.run((context) -> {
				CollapseSettings settings = CollapseContexts.instance(context, "percent").settings();
				assertThat(settings.jitter().max(settings.ttl())).isEqualTo(Duration.ofSeconds(20));
			});
	}

	@Test
	void nameUsedOnlyInCodeTakesItsPropertiesThenDefaults() {
		CollapseContexts.runner()
			.withPropertyValues("collapse.instances.code-only.ttl=7s", "collapse.defaults.wait-timeout=3s")
			.run((context) -> {
				CollapseSettings settings = context.getBean(CollapseRegistry.class).instance("code-only").settings();
				assertThat(settings.ttl()).isEqualTo(Duration.ofSeconds(7));
				assertThat(settings.waitTimeout()).isEqualTo(Duration.ofSeconds(3));
			});
	}

	public static class Tuned {

		@Collapsed(name = "own", ttl = "1m", jitter = "20s", waitTimeout = "1500ms")
		public String own(Long id) {
			return "v";
		}

		@Collapsed(name = "annotated", ttl = "1m", jitter = "20s", waitTimeout = "1500ms")
		public String annotated(Long id) {
			return "v";
		}

		@Collapsed(name = "plain")
		public String plain(Long id) {
			return "v";
		}

		@Collapsed(name = "placeholders", ttl = "${catalog.ttl:1s}", jitter = "${catalog.jitter:0}",
				waitTimeout = "${catalog.wait:1s}")
		public String placeholders(Long id) {
			return "v";
		}

		@Collapsed(name = "percent", ttl = "100s", jitter = "10%")
		public String percent(Long id) {
			return "v";
		}

	}

}
