package dev.collapse.schedule;

import org.aopalliance.aop.Advice;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

import dev.collapse.annotation.OncePerFleet;
import dev.collapse.annotation.Spread;

/** Applies the {@link ScheduleInterceptor} to every method annotated with {@link OncePerFleet} or {@link Spread}. */
public final class ScheduleAdvisor extends AbstractPointcutAdvisor {

	private static final long serialVersionUID = 1L;

	private final transient Pointcut pointcut = new ComposablePointcut(ClassFilter.TRUE,
			new AnnotationMatchingPointcut(null, OncePerFleet.class, true).getMethodMatcher())
		.union(new AnnotationMatchingPointcut(null, Spread.class, true));

	private final transient ScheduleInterceptor interceptor;

	public ScheduleAdvisor(ScheduleInterceptor interceptor, int order) {
		this.interceptor = interceptor;
		setOrder(order);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
