package dev.collapse.autoconfigure;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.core.CollapseRegistry;
import dev.collapse.metrics.CollapseObservationListener;
import dev.collapse.metrics.ObservationMeterDescriptions;

/**
 * A Micrometer observation around each load and each follower's wait, when the application has an
 * {@link ObservationRegistry}: with tracing, a trace shows which request loaded and which waited.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, CollapseRegistry.class })
public final class CollapseObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CollapseObservationListener collapseObservationListener(ObservationRegistry observationRegistry) {
		return new CollapseObservationListener(observationRegistry);
	}

	/**
	 * Descriptions for the timers that Micrometer's meter handler makes of the observations; Boot
	 * applies every {@link MeterFilter} bean to its meter registries.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterFilter.class)
	static class ObservationMeterConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ObservationMeterDescriptions collapseObservationMeterDescriptions() {
			return new ObservationMeterDescriptions();
		}

	}

}
