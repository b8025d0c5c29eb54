package dev.collapse.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

import dev.collapse.aop.SettingsResolver;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.schedule.FireTimeConfigurer;
import dev.collapse.schedule.ScheduleAdvisor;
import dev.collapse.schedule.ScheduleInterceptor;
import dev.collapse.schedule.ScheduleOperations;
import dev.collapse.schedule.ScheduledJobs;

/**
 * Scheduled jobs: {@code @OncePerFleet} runs each nominal fire time of a cron job on one node,
 * {@code @Spread} starts each run at a random delay. The scheduler of {@code @Scheduled} methods is
 * wrapped so that each run knows its nominal fire time.
 */
@AutoConfiguration(after = CollapseAutoConfiguration.class)
@ConditionalOnClass(SchedulingConfigurer.class)
@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
public final class CollapseScheduleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ScheduledJobs collapseScheduledJobs(ObjectProvider<ScheduledJobs.Listener> listeners) {
		return new ScheduledJobs(listeners.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(CollapseRegistry.class)
	ScheduleOperations collapseScheduleOperations(CollapseRegistry registry, ScheduledJobs jobs,
			SettingsResolver settings, CollapseProperties properties, Environment environment) {
		return new ScheduleOperations(registry, jobs, environment, (name) -> {
			// the instance's properties are checked as any instance's, a bad one stops the start
			settings.resolve(name, null, "collapse instance '" + name + "'");
			CollapseProperties.Instance instance = properties.getInstances().get(name);
			return (instance != null) ? instance.getLoadTimeout() : null;
		});
	}

	@Bean
	@ConditionalOnMissingBean
	static FireTimeConfigurer collapseFireTimeConfigurer() {
		return new FireTimeConfigurer();
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	@ConditionalOnMissingBean
	static ScheduleAdvisor collapseScheduleAdvisor(ObjectProvider<ScheduleOperations> operations,
			Environment environment) {
		int order = environment.getProperty("collapse.order", Integer.class, CollapseProperties.DEFAULT_ORDER);
		return new ScheduleAdvisor(new ScheduleInterceptor(operations::getObject), order);
	}

}
