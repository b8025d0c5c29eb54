package dev.collapse.autoconfigure;

import java.lang.reflect.Type;
import java.util.Map;

import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;
import dev.collapse.redis.RedisValueSerializer;

import static org.assertj.core.api.Assertions.assertThat;

/** Each condition of {@link CollapseRedisAutoConfiguration}, and the startup checks of Redis-stored types. */
class CollapseRedisAutoConfigurationTest {

	static final String DATA_REDIS = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClassUtils.resolveClassName(DATA_REDIS, null),
					CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class))
			.withPropertyValues(redis.properties())
			.withPropertyValues("collapse.redis.key-prefix=autoconfig:");
	}

	@Test
	void afterNameNamesALoadableClass() {
		assertThat(ClassUtils.isPresent(DATA_REDIS, null)).isTrue();
	}

	@Test
	void offByDefault() {
		runner().withUserConfiguration(ProductConfig.class).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(RedisDistributedLayer.class);
			assertThat(context.getBean(CollapseRegistry.class).find("config.product")).hasValueSatisfying(
					(instance) -> assertThat(instance.distributed()).isFalse());
		});
	}

	@Test
	void onWhenEnabled() {
		runner().withUserConfiguration(ProductConfig.class).withPropertyValues("collapse.redis.enabled=true").run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(RedisDistributedLayer.class).hasSingleBean(DistributedStatus.class);
			assertThat(context.getBean(CollapseRegistry.class).find("config.product")).hasValueSatisfying(
					(instance) -> assertThat(instance.distributed()).isTrue());
		});
	}

	@Test
	void healthShowsTheRedisLayer() {
		runner().withConfiguration(AutoConfigurations.of(CollapseHealthAutoConfiguration.class))
			.withPropertyValues("collapse.redis.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean("collapseHealthIndicator");
				RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
				org.awaitility.Awaitility.await().until(layer::available);
				Health health = context.getBean("collapseHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
			});
	}

	@Test
	void offWhenCollapseIsDisabled() {
		runner().withPropertyValues("collapse.redis.enabled=true", "collapse.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RedisDistributedLayer.class));
	}

	@Test
	void offWithoutLettuce() {
		runner().withClassLoader(new FilteredClassLoader(RedisClient.class))
			.withPropertyValues("collapse.redis.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisDistributedLayer.class));
	}

	@Test
	void objectReturnTypeFailsAtStartupNamingMethodAndType() {
		runner().withUserConfiguration(ObjectConfig.class).withPropertyValues("collapse.redis.enabled=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(configurationFailure(context.getStartupFailure()))
				.hasMessageContaining("ObjectService.find(long)")
				.hasMessageContaining("java.lang.Object");
		});
	}

	@Test
	void mapOfInterfacesFailsAtStartup() {
		runner().withUserConfiguration(MapConfig.class).withPropertyValues("collapse.redis.enabled=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(configurationFailure(context.getStartupFailure()))
				.hasMessageContaining("MapService.find(long)")
				.hasMessageContaining("java.lang.CharSequence");
		});
	}

	@Test
	void sameTypesAreFineWithoutRedis() {
		runner().withUserConfiguration(ObjectConfig.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aSerializerBeanTakesResponsibilityForAnyType() {
		runner().withUserConfiguration(ObjectConfig.class, SerializerConfig.class)
			.withPropertyValues("collapse.redis.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(RedisDistributedLayer.class));
	}

	@Test
	void keyPrefixWithABraceFailsAtStartup() {
		runner().withPropertyValues("collapse.redis.enabled=true", "collapse.redis.key-prefix=app{1}:").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(configurationFailure(context.getStartupFailure()))
				.hasMessageContaining("collapse.redis.key-prefix");
		});
	}

	/** The configuration exception in the chain of causes of a startup failure. */
	private static CollapseConfigurationException configurationFailure(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof CollapseConfigurationException configuration) {
				return configuration;
			}
		}
		throw new AssertionError("no CollapseConfigurationException in the causes of " + failure, failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class ProductConfig {

		@Bean
		Config config() {
			return new Config();
		}

	}

	static class Config {

		@Collapsed(name = "config.product", ttl = "1m")
		public String product(long id) {
			return "p" + id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ObjectConfig {

		@Bean
		ObjectService objectService() {
			return new ObjectService();
		}

	}

	static class ObjectService {

		@Collapsed(ttl = "1m")
		public Object find(long id) {
			return "p" + id;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MapConfig {

		@Bean
		MapService mapService() {
			return new MapService();
		}

	}

	static class MapService {

		@Collapsed(ttl = "1m")
		public Map<String, CharSequence> find(long id) {
			return Map.of("id", "p" + id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SerializerConfig {

		@Bean
		RedisValueSerializer serializer() {
			return (Type type) -> new RedisValueSerializer.Codec() {

				@Override
				public String write(Object value) {
					return String.valueOf(value);
				}

				@Override
				public Object read(String text) {
					return text;
				}

			};
		}

	}

}
