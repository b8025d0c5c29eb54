package dev.collapse.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureOrder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

import dev.collapse.actuate.DistributedHealthIndicator;
import dev.collapse.core.spi.DistributedStatus;

/**
 * Health of collapse's distributed layer, contributed as {@code collapse}, when that layer is on
 * (a {@link DistributedStatus} bean exists). Falling back never reports {@code DOWN}: see
 * {@link DistributedHealthIndicator}. Off with {@code management.health.collapse.enabled=false}.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class,
		afterName = "dev.collapse.autoconfigure.CollapseRedisAutoConfiguration")
// last as well: @ConditionalOnBean must see the DistributedStatus of whichever configuration defines it
@AutoConfigureOrder(Ordered.LOWEST_PRECEDENCE)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(DistributedStatus.class)
@ConditionalOnEnabledHealthIndicator("collapse")
public final class CollapseHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "collapseHealthIndicator")
	DistributedHealthIndicator collapseHealthIndicator(DistributedStatus status) {
		return new DistributedHealthIndicator(status);
	}

}
