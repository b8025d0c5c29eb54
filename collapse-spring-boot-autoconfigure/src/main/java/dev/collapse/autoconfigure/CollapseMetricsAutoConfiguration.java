package dev.collapse.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.collapse.core.CollapseRegistry;
import dev.collapse.metrics.CollapseMetricsListener;
import dev.collapse.metrics.ScheduleMeters;

/**
 * Micrometer meters of every collapse instance ({@code collapse.*}), when the application has a
 * {@link MeterRegistry}.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, CollapseRegistry.class })
public final class CollapseMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CollapseMetricsListener collapseMetricsListener(MeterRegistry meterRegistry) {
		return new CollapseMetricsListener(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	ScheduleMeters collapseScheduleMeters(MeterRegistry meterRegistry) {
		return new ScheduleMeters(meterRegistry);
	}

}
