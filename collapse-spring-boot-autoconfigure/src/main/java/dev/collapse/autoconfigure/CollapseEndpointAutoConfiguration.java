package dev.collapse.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.actuate.CollapseStatistics;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Collapser;
import dev.collapse.core.DistributedStatus;

/**
 * The {@code collapse} actuator endpoint and the statistics it shows, when the endpoint is
 * available ({@code management.endpoints.web.exposure.include=collapse}, or JMX).
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(CollapseRegistry.class)
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
	CollapseEndpoint collapseEndpoint(CollapseRegistry registry, ObjectProvider<Collapser> collapser,
			CollapseStatistics statistics, ObjectProvider<DistributedStatus> distributed) {
		// the registry is a Collapser; another one, the distributed layer's, also evicts in Redis
		return new CollapseEndpoint(registry, collapser.getIfUnique(() -> registry), statistics,
				distributed.getIfUnique());
	}

}
