package dev.collapse.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.support.SpringFactoriesLoader;
import reactor.core.publisher.Flux;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseConfigurationException;

import static dev.collapse.aop.CollapseContexts.startupFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Invariant 7: bad configuration stops the application at startup, and the message names the
 * class, the method and the attribute (or the property).
 */
class StartupValidationTest {

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void badSpel() {
		assertFailure(BadSpel.class, ".load(Long) key: ", "'#id +' is not a valid SpEL expression");
	}

	@Test
	void unknownParameterName() {
		assertFailure(UnknownParameter.class, ".load(Long) key: ", "no parameter named 'idd'", "(parameters: id)");
	}

	@Test
	void indexBeyondTheParameters() {
		assertFailure(IndexBeyondParameters.class, ".load(Long) key: ", "'#p1'", "1 parameter");
	}

	@Test
	void badDurationInTtl() {
		assertFailure(BadTtl.class, "ttl = \"five minutes\"", "'five minutes' is not a duration");
	}

	@Test
	void badDurationInWaitTimeout() {
		assertFailure(BadWaitTimeout.class, "waitTimeout = \"soon\"", "'soon' is not a duration");
	}

	@Test
	void nonPositiveWaitTimeout() {
		assertFailure(ZeroWaitTimeout.class, "waitTimeout = \"0s\"", "wait-timeout must be a positive duration");
	}

	@Test
	void negativeTtlAttributeNamesTheMethodTheAttributeAndWhatIsAllowed() {
		CollapseConfigurationException failure = startupFailure(this.runner, NegativeTtl.class);
		assertThat(failure.getOrigin())
			.isEqualTo("@Collapsed on " + NegativeTtl.class.getName() + ".load(Long) attribute ttl = \"-1s\"");
		assertThat(failure.getProblem()).isEqualTo(
				"ttl must be 0 (collapse concurrent calls only, store nothing) or a positive duration such as 5m; was PT-1S");
	}

	/**
	 * Each setting has one rule, and a value that breaks it names the property it came from, the
	 * method that read it, what is wrong (the value) and what is allowed.
	 */
	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', textBlock = """
			collapse.instances.x.ttl                | -1s      | ttl must be 0 (collapse concurrent calls only, store nothing) or a positive duration such as 5m; was PT-1S
			collapse.instances.x.jitter             | -1s      | jitter must be a duration such as 30s or a share of the ttl such as 10%, zero or more; was '-1s'
			collapse.defaults.jitter                | lots     | jitter must be a duration such as 30s or a share of the ttl such as 10%, zero or more; was 'lots'
			collapse.instances.x.wait-timeout       | 0s       | wait-timeout must be a positive duration such as 10s (every wait has a deadline); was PT0S
			collapse.defaults.wait-timeout          | -5s      | wait-timeout must be a positive duration such as 10s (every wait has a deadline); was PT-5S
			collapse.instances.x.stale-if-error     | -1s      | stale-if-error must be 0 (serve the failure) or a positive duration such as 5m; was PT-1S
			collapse.instances.x.early-refresh.beta | -0.5     | early-refresh.beta must be 0 (off) or a finite positive number such as 1.0; was -0.5
			collapse.defaults.early-refresh.beta    | Infinity | early-refresh.beta must be 0 (off) or a finite positive number such as 1.0; was Infinity
			collapse.instances.x.retry.max-attempts | 0        | retry.max-attempts must be at least 1 (1 = no retry, 3 = two retries); was 0
			collapse.defaults.retry.base-delay      | -1ms     | retry.base-delay must be 0 or a positive duration such as 100ms; was PT-0.001S
			collapse.instances.x.retry.max-delay    | 50ms     | retry.max-delay must be at least retry.base-delay (PT0.1S); was PT0.05S
			""")
	void badPropertyNamesItselfTheMethodAndWhatIsAllowed(String property, String value, String problem) {
		CollapseConfigurationException failure = startupFailure(
				this.runner.withPropertyValues(property + "=" + value), NamedX.class);
		assertThat(failure.getOrigin())
			.isEqualTo("property " + property + " (read for @Collapsed on " + NamedX.class.getName() + ".load(Long))");
		assertThat(failure.getProblem()).isEqualTo(problem);
	}

	@Test
	void negativeJitterAttribute() {
		assertFailure(NegativeJitter.class, "jitter = \"-5s\"", "jitter must be");
	}

	@Test
	void negativeJitterProperty() {
		CollapseConfigurationException failure = startupFailure(
				this.runner.withPropertyValues("collapse.instances.x.jitter=-1%"), NamedX.class);
		assertThat(failure.getMessage()).contains("property collapse.instances.x.jitter")
			.contains("'-1%'")
			.contains(NamedX.class.getName() + ".load(Long)");
	}

	@Test
	void unresolvablePlaceholderInAnAttribute() {
		assertFailure(MissingPlaceholder.class, "ttl = \"${no.such.property}\"", "no.such.property");
	}

	@Test
	void fluxReturnType() {
		assertFailure(FluxReturn.class, "Flux", "emits many values");
	}

	@Test
	void privateMethod() {
		assertFailure(PrivateMethod.class, "private or final");
	}

	@Test
	void finalMethod() {
		assertFailure(FinalMethod.class, "private or final");
	}

	@Test
	void twoMethodsSharingANameWithDifferentSettings() {
		CollapseConfigurationException failure = startupFailure(this.runner, SharedName.class);
		assertThat(failure.getMessage()).contains(SharedName.class.getName())
			.containsAnyOf(".first(Long)", ".second(Long)")
			.contains("'shared'")
			.contains("other settings");
	}

	@Test
	void defaultNameOfTwoClassesWithTheSameSimpleNameIsRefusedInsteadOfSharingEntries() {
		// before: both got the instance "Prices.price", and the US bean served the EU bean's cached price
		this.runner.withBean(Eu.Prices.class).withBean(Us.Prices.class).run((context) -> {
			assertThat(context).hasFailed();
			CollapseConfigurationException failure = CollapseContexts.configurationFailure(context.getStartupFailure());
			assertThat(failure.getMessage()).contains("default name 'Prices.price'")
				.contains(Eu.Prices.class.getName() + ".price(String)")
				.contains(Us.Prices.class.getName() + ".price(String)")
				.contains("set name");
		});
	}

	@Test
	void defaultNameOfOverloadsIsRefusedInsteadOfSharingEntries() {
		CollapseConfigurationException failure = startupFailure(this.runner, Overloads.class);
		assertThat(failure.getMessage()).contains("default name 'Overloads.find'")
			.contains(Overloads.class.getName() + ".find(Number)")
			.contains(Overloads.class.getName() + ".find(Long)");
	}

	@Test
	void oneClassAsTwoBeansKeepsItsDefaultName() {
		this.runner.withBean("first", Eu.Prices.class)
			.withBean("second", Eu.Prices.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void twoMethodsSharingANameWithTheSameSettingsIsFine() {
		this.runner.withBean(SharedNameSameSettings.class).run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void failureAnalyzerReportsWhereAndWhatAndHowToFixIt() {
		this.runner.withBean(NegativeJitter.class).run((context) -> {
			Throwable failure = context.getStartupFailure();
			FailureAnalysis analysis = new CollapseConfigurationFailureAnalyzer().analyze(failure);
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).startsWith("Invalid collapse setting.")
				.contains("Where: @Collapsed on " + NegativeJitter.class.getName() + ".load(Long) attribute jitter = \"-5s\"")
				.contains("Problem: jitter must be");
			assertThat(analysis.getAction()).contains("@Collapsed attribute")
				.contains("collapse.instances.<name>.*")
				.contains("collapse.defaults.*");
			assertThat(analysis.getCause()).isInstanceOf(CollapseConfigurationException.class);
		});
	}

	@Test
	void failureAnalyzerIsRegistered() {
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, null, (type, name, failure) -> {
				// Boot's own analyzers need a bean factory; only ours matters here
			});
		assertThat(analyzers).hasAtLeastOneElementOfType(CollapseConfigurationFailureAnalyzer.class);
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void applicationThatFailsToStartPrintsTheReport(CapturedOutput output) {
		SpringApplication application = new SpringApplication(BadApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatExceptionOfType(CollapseConfigurationException.class).isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid collapse setting.")
			.contains("Where: @Collapsed on " + NegativeJitter.class.getName() + ".load(Long) attribute jitter")
			.contains("collapse.instances.<name>.*");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, CollapseAutoConfiguration.class })
	@Import(NegativeJitter.class)
	static class BadApplication {

	}

	/**
	 * Starts a context with {@code bean} and asserts that its failure names the bean's class, its
	 * {@code load(Long)} method and every one of {@code expected}.
	 */
	private void assertFailure(Class<?> bean, String... expected) {
		CollapseConfigurationException failure = startupFailure(this.runner, bean);
		assertThat(failure.getMessage()).contains("@Collapsed on " + bean.getName() + ".load(Long)").contains(expected);
	}

	static class Eu {

		public static class Prices {

			@Collapsed(ttl = "1m")
			public String price(String sku) {
				return "EUR";
			}

		}

	}

	static class Us {

		public static class Prices {

			@Collapsed(ttl = "1m")
			public String price(String sku) {
				return "USD";
			}

		}

	}

	public static class Overloads {

		@Collapsed(ttl = "1m")
		public String find(Number id) {
			return "number";
		}

		@Collapsed(ttl = "1m")
		public String find(Long id) {
			return "long";
		}

	}

	public static class BadSpel {

		@Collapsed(key = "#id +")
		public String load(Long id) {
			return "v";
		}

	}

	public static class UnknownParameter {

		@Collapsed(key = "#idd")
		public String load(Long id) {
			return "v";
		}

	}

	public static class IndexBeyondParameters {

		@Collapsed(key = "#p1")
		public String load(Long id) {
			return "v";
		}

	}

	public static class BadTtl {

		@Collapsed(ttl = "five minutes")
		public String load(Long id) {
			return "v";
		}

	}

	public static class BadWaitTimeout {

		@Collapsed(waitTimeout = "soon")
		public String load(Long id) {
			return "v";
		}

	}

	public static class ZeroWaitTimeout {

		@Collapsed(waitTimeout = "0s")
		public String load(Long id) {
			return "v";
		}

	}

	public static class NegativeJitter {

		@Collapsed(ttl = "1m", jitter = "-5s")
		public String load(Long id) {
			return "v";
		}

	}

	public static class NegativeTtl {

		@Collapsed(ttl = "-1s")
		public String load(Long id) {
			return "v";
		}

	}

	public static class NamedX {

		@Collapsed(name = "x", ttl = "1m")
		public String load(Long id) {
			return "v";
		}

	}

	public static class MissingPlaceholder {

		@Collapsed(ttl = "${no.such.property}")
		public String load(Long id) {
			return "v";
		}

	}

	public static class FluxReturn {

		@Collapsed
		public Flux<String> load(Long id) {
			return Flux.just("a");
		}

	}

	public static class PrivateMethod {

		public String call(Long id) {
			return load(id);
		}

		@Collapsed
		private String load(Long id) {
			return "v";
		}

	}

	public static class FinalMethod {

		@Collapsed
		public final String load(Long id) {
			return "v";
		}

	}

	public static class SharedName {

		@Collapsed(name = "shared", ttl = "1m")
		public String first(Long id) {
			return "v";
		}

		@Collapsed(name = "shared", ttl = "2m")
		public String second(Long id) {
			return "v";
		}

	}

	public static class SharedNameSameSettings {

		@Collapsed(name = "shared", ttl = "1m")
		public String first(Long id) {
			return "v";
		}

		@Collapsed(name = "shared", ttl = "1m")
		public String second(Long id) {
			return "v";
		}

	}

}
