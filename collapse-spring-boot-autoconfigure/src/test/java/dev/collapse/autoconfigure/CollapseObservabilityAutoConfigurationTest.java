package dev.collapse.autoconfigure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.actuate.CollapseEndpointWebExtension;
import dev.collapse.actuate.CollapseStatistics;
import dev.collapse.actuate.DistributedHealthIndicator;
import dev.collapse.core.Collapser;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.metrics.CollapseMetricsListener;
import dev.collapse.metrics.CollapseObservationListener;
import dev.collapse.metrics.HerdWarningListener;

import static org.assertj.core.api.Assertions.assertThat;

/** Every condition branch of the metrics, observation, herd warning, endpoint and health auto-configurations. */
class CollapseObservabilityAutoConfigurationTest {

	private static final List<Class<?>> OBSERVABILITY = List.of(CollapseMetricsAutoConfiguration.class,
			CollapseObservationAutoConfiguration.class, CollapseHerdWarningAutoConfiguration.class,
			CollapseEndpointAutoConfiguration.class, CollapseHealthAutoConfiguration.class);

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(CollapseAutoConfiguration.class, CollapseMetricsAutoConfiguration.class,
					CollapseObservationAutoConfiguration.class, CollapseHerdWarningAutoConfiguration.class,
					CollapseEndpointAutoConfiguration.class, CollapseHealthAutoConfiguration.class));

	@Test
	void meterRegistryBeanGetsTheMetersOfEveryInstance() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			assertThat(context).hasSingleBean(CollapseMetricsListener.class);
			context.getBean(Collapser.class).collapse("products", 7L, () -> "v");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("collapse.calls").tags("name", "products", "result", "leader").counter().count())
				.isEqualTo(1);
		});
	}

	@Test
	void withoutMeterRegistryBeanThereAreNoMeters() {
		this.runner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CollapseMetricsListener.class));
	}

	@Test
	void withoutMicrometerTheStarterStillCollapsesAndWarns() {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer")).run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(CollapseMetricsListener.class)
				.doesNotHaveBean(CollapseObservationListener.class)
				.hasSingleBean(HerdWarningListener.class);
			assertThat(context.getBean(Collapser.class).<String>collapse("products", 7L, () -> "v")).isEqualTo("v");
		});
	}

	@Test
	void observationRegistryBeanGetsObservationsOfLoads() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			assertThat(context).hasSingleBean(CollapseObservationListener.class);
			context.getBean(Collapser.class).collapse("products", 7L, () -> "v");
			TestObservationRegistry observations = context.getBean(TestObservationRegistry.class);
			observations.assertThat().hasObservationWithNameEqualTo(CollapseObservationListener.LEADER);
		});
	}

	@Test
	void bootsObservationRegistryObservesLoadsUnlessTurnedOffTheBootWay() {
		ApplicationContextRunner withBootObservations = this.runner
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withBean(RecordingHandler.class, RecordingHandler::new);
		withBootObservations.run((context) -> {
			context.getBean(Collapser.class).collapse("products", 7L, () -> "v");
			assertThat(context.getBean(RecordingHandler.class).names).containsExactly(CollapseObservationListener.LEADER);
		});
		withBootObservations.withPropertyValues("management.observations.enable.collapse=false").run((context) -> {
			context.getBean(Collapser.class).collapse("products", 7L, () -> "v");
			assertThat(context.getBean(RecordingHandler.class).names).isEmpty();
		});
	}

	@Test
	void collapseDisabledRegistersNoListenerAndAnEndpointThatSaysSo() {
		this.runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.withPropertyValues("collapse.enabled=false", "management.endpoints.web.exposure.include=collapse")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(CollapseMetricsListener.class)
					.doesNotHaveBean(CollapseObservationListener.class)
					.doesNotHaveBean(HerdWarningListener.class)
					.hasSingleBean(CollapseEndpoint.class);
				assertThat(context.getBean(CollapseEndpoint.class).collapse().enabled()).isFalse();
				assertThat(context.getBean(CollapseEndpoint.class).collapse().instances()).isEmpty();
			});
	}

	@Test
	void endpointNotExposedIsNotCreated() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(CollapseEndpoint.class)
			.doesNotHaveBean(CollapseStatistics.class));
	}

	@Test
	void endpointExposedIsCreatedWithItsStatistics() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=collapse", "management.endpoint.collapse.show-keys=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(CollapseEndpoint.class)
					.hasSingleBean(CollapseStatistics.class)
					.hasSingleBean(CollapseEndpointWebExtension.class);
				assertThat(context.getBean(CollapseStatistics.class).showsKeys()).isTrue();
				assertThat(context.getBean(CollapseEndpoint.class).collapse().redis().state()).isEqualTo("off");
			});
	}

	@Test
	void endpointWithoutActuatorIsNotCreated() {
		this.runner.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.withPropertyValues("management.endpoints.web.exposure.include=collapse")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(CollapseEndpoint.class));
	}

	@Test
	void healthWithoutDistributedLayerIsNotContributed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(DistributedHealthIndicator.class));
	}

	@Test
	void healthWithDistributedLayerIsContributedAsCollapse() {
		this.runner.withBean(DistributedStatus.class, CollapseObservabilityAutoConfigurationTest::fallingBack)
			.run((context) -> {
				assertThat(context).hasSingleBean(DistributedHealthIndicator.class).hasBean("collapseHealthIndicator");
				assertThat(context.getBean(DistributedHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			});
	}

	@Test
	void healthSeesADistributedLayerDefinedByAnotherAutoConfiguration() {
		// whatever the Redis layer's auto-configuration is named, it is processed before the health one
		this.runner.withConfiguration(AutoConfigurations.of(ZzDistributedLayerAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(DistributedHealthIndicator.class));
	}

	@Test
	void healthDisabledByPropertyIsNotContributed() {
		this.runner.withBean(DistributedStatus.class, CollapseObservabilityAutoConfigurationTest::fallingBack)
			.withPropertyValues("management.health.collapse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DistributedHealthIndicator.class));
	}

	@Test
	void healthWithoutBootHealthIsNotContributed() {
		this.runner.withBean(DistributedStatus.class, CollapseObservabilityAutoConfigurationTest::fallingBack)
			.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DistributedHealthIndicator.class));
	}

	@Test
	void everySpringBootClassNamedInAfterNameExists() {
		List<String> missing = new ArrayList<>();
		for (Class<?> configuration : OBSERVABILITY) {
			AutoConfiguration annotation = configuration.getAnnotation(AutoConfiguration.class);
			for (String name : annotation.afterName()) {
				if (name.startsWith("org.springframework.") && !ClassUtils.isPresent(name, null)) {
					missing.add(configuration.getSimpleName() + " -> " + name);
				}
			}
		}
		assertThat(missing).isEmpty();
	}

	/** Names of the observations stopped, registered with Boot's registry as a handler bean. */
	static final class RecordingHandler implements ObservationHandler<Observation.Context> {

		final List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

		@Override
		public void onStop(Observation.Context context) {
			this.names.add(context.getName());
		}

	}

	@AutoConfiguration
	static final class ZzDistributedLayerAutoConfiguration {

		@Bean
		DistributedStatus distributedStatus() {
			return fallingBack();
		}

	}

	private static DistributedStatus fallingBack() {
		return new DistributedStatus() {
			@Override
			public boolean available() {
				return false;
			}

			@Override
			public Instant fallbackSince() {
				return Instant.parse("2026-11-26T10:00:00Z");
			}

			@Override
			public String detail() {
				return "connection refused";
			}
		};
	}

}
