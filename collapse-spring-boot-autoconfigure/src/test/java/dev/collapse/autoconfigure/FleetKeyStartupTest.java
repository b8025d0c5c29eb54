package dev.collapse.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.KeyEncoder;
import dev.collapse.redis.RedisServerExtension;
import dev.collapse.redis.TenantScoped;

import static dev.collapse.aop.CollapseContexts.startupFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 13 at startup (issue 14): with Redis on, a method whose declared key type the fleet can
 * never encode faithfully is refused, with a message that names the method, the key and the ways
 * out; a type that may hold an encodable value is checked per call instead.
 */
class FleetKeyStartupTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClassUtils.resolveClassName(CollapseRedisAutoConfigurationTest.DATA_REDIS, null),
					CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class))
			.withPropertyValues(redis.properties())
			.withPropertyValues("collapse.redis.key-prefix=fleetkeys:", "collapse.redis.enabled=true");
	}

	public record Order(TenantScoped owner, long id) {

		public TenantScoped getOwner() {
			return this.owner;
		}

	}

	public record OrderId(String tenant, long id) {
	}

	public static class DefaultKey {

		@Collapsed
		public String load(TenantScoped key) {
			return "v";
		}

	}

	public static class ParameterKey {

		@Collapsed(key = "#key")
		public String load(String ignored, TenantScoped key) {
			return "v";
		}

	}

	public static class PropertyKey {

		@Collapsed(key = "#order.owner")
		public String load(Order order) {
			return "v";
		}

	}

	public static class ListKey {

		@Collapsed
		public String load(List<TenantScoped> keys) {
			return "v";
		}

	}

	public static class EncodableKeys {

		@Collapsed
		public String record(OrderId id) {
			return "v";
		}

		@Collapsed(key = "#order.id")
		public String property(Order order) {
			return "v";
		}

		@Collapsed(key = "#root.args[0]")
		public String spel(TenantScoped key) {
			return "v";
		}

		@Collapsed
		public String any(Object key, List<Long> ids, int[] codes) {
			return "v";
		}

	}

	@Test
	void theDefaultKeyOfAPlainClassIsRefusedNamingMethodKeyAndWaysOut() {
		CollapseConfigurationException failure = startupFailure(runner(), DefaultKey.class);
		assertThat(failure.getOrigin()).isEqualTo("@Collapsed on " + DefaultKey.class.getName() + ".load(TenantScoped) key");
		assertThat(failure.getProblem()).contains("argument 'key' of the default key (all arguments)",
				TenantScoped.class.getName() + " is a class that is not a record", "key = \"{#order.tenant, #order.id}\"",
				KeyEncoder.class.getName());
	}

	@Test
	void aParameterKeyOfAPlainClassIsRefused() {
		assertThat(startupFailure(runner(), ParameterKey.class).getMessage()).contains(".load(String, TenantScoped) key",
				"the key '#key'", TenantScoped.class.getName());
	}

	@Test
	void aPropertyKeyOfAPlainClassIsRefused() {
		assertThat(startupFailure(runner(), PropertyKey.class).getMessage()).contains(".load(Order) key",
				"the key '#order.owner'", TenantScoped.class.getName());
	}

	@Test
	void aListOfAPlainClassIsRefused() {
		assertThat(startupFailure(runner(), ListKey.class).getMessage()).contains(TenantScoped.class.getName());
	}

	@Test
	void encodableOrUndeclaredKeysStart() {
		runner().withBean(EncodableKeys.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void withoutRedisEveryKeyStarts() {
		runner().withPropertyValues("collapse.redis.enabled=false")
			.withBean(DefaultKey.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aKeyEncoderBeanTakesResponsibilityForPlainClasses() {
		runner().withBean(DefaultKey.class)
			.withBean(KeyEncoder.class, () -> (key) -> null)
			.run((context) -> assertThat(context).hasNotFailed());
	}

}
