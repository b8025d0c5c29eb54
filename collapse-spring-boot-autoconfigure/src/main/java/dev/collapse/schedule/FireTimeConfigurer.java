package dev.collapse.schedule;

import org.springframework.core.Ordered;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Wraps the scheduler of {@code @Scheduled} methods, whichever it is (Spring's router to the
 * {@code taskScheduler} bean, or one an application's own configurer set), so that each run
 * knows its nominal fire time. Runs after every other configurer, to wrap what they chose.
 */
public final class FireTimeConfigurer implements SchedulingConfigurer, Ordered {

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		TaskScheduler scheduler = registrar.getScheduler();
		if (scheduler != null && !(scheduler instanceof FireTimeScheduler)) {
			registrar.setTaskScheduler(new FireTimeScheduler(scheduler));
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
