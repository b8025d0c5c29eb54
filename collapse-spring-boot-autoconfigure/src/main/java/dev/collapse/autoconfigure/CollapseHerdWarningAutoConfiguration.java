package dev.collapse.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.collapse.core.CollapseRegistry;
import dev.collapse.metrics.HerdWarningListener;

/**
 * A WARN line when one load served more callers than {@code collapse.herd.warn-threshold}; needs
 * nothing but a logger.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class)
@ConditionalOnBean(CollapseRegistry.class)
@EnableConfigurationProperties(CollapseHerdProperties.class)
public final class CollapseHerdWarningAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HerdWarningListener collapseHerdWarningListener(CollapseHerdProperties properties) {
		return new HerdWarningListener(properties.getWarnThreshold(), properties.getWarnInterval());
	}

}
