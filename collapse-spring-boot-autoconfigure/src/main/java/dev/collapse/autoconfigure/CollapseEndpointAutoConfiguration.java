package dev.collapse.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.actuate.CollapseEndpointWebExtension;
import dev.collapse.actuate.CollapseStatistics;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.schedule.ScheduledJobs;

/**
 * The {@code collapse} actuator endpoint and the statistics it shows, when the endpoint is
 * available ({@code management.endpoints.web.exposure.include=collapse}, or JMX). It exists with
 * {@code collapse.enabled=false} too, to say that collapsing is off.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnAvailableEndpoint(CollapseEndpoint.class)
@EnableConfigurationProperties(CollapseEndpointProperties.class)
public final class CollapseEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CollapseStatistics collapseStatistics(CollapseEndpointProperties properties) {
		return new CollapseStatistics(properties.getHerds(), properties.getHerdWindow(), properties.isShowKeys());
	}

	@Bean
	@ConditionalOnMissingBean
	CollapseEndpoint collapseEndpoint(ObjectProvider<CollapseRegistry> registry, CollapseStatistics statistics,
			ObjectProvider<DistributedStatus> distributed, ObjectProvider<ScheduledJobs> schedules) {
		// no registry: collapse.enabled=false, which the endpoint reports
		return new CollapseEndpoint(registry.getIfAvailable(), statistics, distributed.getIfUnique(),
				schedules.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(CollapseEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	CollapseEndpointWebExtension collapseEndpointWebExtension(CollapseEndpoint endpoint) {
		return new CollapseEndpointWebExtension(endpoint);
	}

}
