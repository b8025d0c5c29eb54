package dev.collapse.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseRegistry;

import static dev.collapse.aop.CollapseContexts.startupFailure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where {@code failure-ttl} comes from (instance property, then the {@code failureTtl} attribute,
 * then {@code collapse.defaults.failure-ttl}), and invariant 7 for it: a bad value stops the start
 * with a message that names the method and the attribute, or the property.
 */
class FailureTtlSettingsTest {

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void aBadDurationNamesTheMethodAndTheAttribute() {
		CollapseConfigurationException failure = startupFailure(this.runner, BadFailureTtl.class);
		assertThat(failure.getOrigin()).isEqualTo(
				"@Collapsed on " + BadFailureTtl.class.getName() + ".load(Long) attribute failureTtl = \"a while\"");
		assertThat(failure.getProblem()).contains("'a while' is not a duration");
	}

	@Test
	void aNegativeValueNamesTheMethodTheAttributeAndWhatIsAllowed() {
		CollapseConfigurationException failure = startupFailure(this.runner, NegativeFailureTtl.class);
		assertThat(failure.getOrigin()).isEqualTo(
				"@Collapsed on " + NegativeFailureTtl.class.getName() + ".load(Long) attribute failureTtl = \"-2s\"");
		assertThat(failure.getProblem()).isEqualTo(
				"failure-ttl must be 0 (cache no failure) or a positive duration such as 2s; was PT-2S");
	}

	@Test
	void aNegativePropertyNamesTheProperty() {
		CollapseConfigurationException failure = startupFailure(
				this.runner.withPropertyValues("collapse.instances.auth.failure-ttl=-1s"), Auth.class);
		assertThat(failure.getMessage()).contains("collapse.instances.auth.failure-ttl")
			.contains("failure-ttl must be 0");
	}

	@Test
	void theInstancePropertyWinsOverTheAttributeWhichWinsOverTheDefault() {
		this.runner.withBean(Auth.class)
			.withBean(Unnamed.class)
			.withPropertyValues("collapse.defaults.failure-ttl=7s", "collapse.instances.auth.failure-ttl=3s")
			.run((context) -> {
				CollapseRegistry registry = context.getBean(CollapseRegistry.class);
				assertThat(registry.instance("auth").settings().failureTtl()).isEqualTo(Duration.ofSeconds(3));
				assertThat(registry.instance("unnamed").settings().failureTtl()).isEqualTo(Duration.ofSeconds(7));
			});
		this.runner.withBean(Auth.class)
			.run((context) -> assertThat(context.getBean(CollapseRegistry.class).instance("auth").settings().failureTtl())
				.isEqualTo(Duration.ofSeconds(5)));
	}

	public static class BadFailureTtl {

		@Collapsed(failureTtl = "a while")
		public String load(Long id) {
			return "v";
		}

	}

	public static class NegativeFailureTtl {

		@Collapsed(failureTtl = "-2s")
		public String load(Long id) {
			return "v";
		}

	}

	public static class Auth {

		@Collapsed(name = "auth", failureTtl = "5s")
		public String load(Long id) {
			return "v";
		}

	}

	public static class Unnamed {

		@Collapsed(name = "unnamed")
		public String load(Long id) {
			return "v";
		}

	}

}
