package dev.collapse.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.annotation.Collapsed;
import dev.collapse.annotation.OncePerFleet;
import dev.collapse.annotation.Spread;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.schedule.ScheduleOperations;

/**
 * Finds the {@code @Collapsed}, {@code @CollapseEvict}, {@code @OncePerFleet} and {@code @Spread} methods of every bean as it is created, and resolves them once
 * all singletons exist, so that a bad annotation stops the application at startup with a message
 * that names the method and attribute. It depends on nothing at creation, so it delays no bean.
 */
public final class CollapsedMethodValidator implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware {

	private final Set<Class<?>> seen = ConcurrentHashMap.newKeySet();

	/** The first singleton of each class with an {@code @OncePerFleet} method: a job is keyed by its class. */
	private final Map<Class<?>, String> jobBeans = new ConcurrentHashMap<>();

	/** Guarded by itself, as is the switch from collecting to validating at once. */
	private final List<Map.Entry<Method, Class<?>>> pending = new ArrayList<>();

	/** Null until singletons are instantiated; guarded by {@link #pending}. */
	private @Nullable Validation operations;

	/** Set by the container before any other method is called. */
	private @Nullable BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (!(AnnotationUtils.isCandidateClass(targetClass, Collapsed.class)
				|| AnnotationUtils.isCandidateClass(targetClass, CollapseEvict.class)
				|| AnnotationUtils.isCandidateClass(targetClass, OncePerFleet.class)
				|| AnnotationUtils.isCandidateClass(targetClass, Spread.class))) {
			return bean;
		}
		if (!this.seen.add(targetClass)) {
			refuseASecondJobBean(targetClass, beanName);
			return bean;
		}
		Map<Method, Boolean> annotated = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<Boolean>) (method) -> (AnnotatedElementUtils.hasAnnotation(method,
						Collapsed.class) || !EvictOperations.annotations(method).isEmpty()
						|| AnnotatedElementUtils.hasAnnotation(method, OncePerFleet.class)
						|| AnnotatedElementUtils.hasAnnotation(method, Spread.class)) ? Boolean.TRUE : null);
		if (annotated.keySet().stream().anyMatch((method) -> AnnotatedElementUtils.hasAnnotation(method, OncePerFleet.class))
				&& isSingleton(beanName)) {
			this.jobBeans.put(targetClass, beanName);
		}
		for (Method method : annotated.keySet()) {
			Validation ready;
			synchronized (this.pending) {
				ready = this.operations;
				if (ready == null) {
					this.pending.add(Map.entry(method, targetClass));
				}
			}
			if (ready != null) {
				ready.validate(method, targetClass);
			}
		}
		return bean;
	}

	/**
	 * A once-per-fleet job is keyed by its bean class and method: a second singleton of the class
	 * would share the first one's fire times, and only one of the two would run each time.
	 */
	private void refuseASecondJobBean(Class<?> targetClass, String beanName) {
		String first = this.jobBeans.get(targetClass);
		if (first != null && !first.equals(beanName) && isSingleton(beanName)) {
			throw new CollapseConfigurationException("@OncePerFleet on " + targetClass.getName(), "beans '" + first
					+ "' and '" + beanName + "' are both of this class, so they would share each job's fire times "
					+ "and only one of them would run each time; declare one bean of the class, or make the "
					+ "other a subclass: each bean class is its own job");
		}
	}

	private boolean isSingleton(String beanName) {
		return this.beanFactory != null && this.beanFactory.containsBean(beanName)
				&& this.beanFactory.isSingleton(beanName);
	}

	@Override
	public void afterSingletonsInstantiated() {
		CollapsedOperations collapsed = this.beanFactory.getBean(CollapsedOperations.class);
		EvictOperations evictions = this.beanFactory.getBeanProvider(EvictOperations.class).getIfAvailable();
		ScheduleOperations schedules = this.beanFactory.getBeanProvider(ScheduleOperations.class).getIfAvailable();
		Validation resolved = (method, targetClass) -> {
			collapsed.validate(method, targetClass);
			if (evictions != null) {
				evictions.validate(method, targetClass);
			}
			if (schedules != null) {
				schedules.validate(method, targetClass);
			}
		};
		List<Map.Entry<Method, Class<?>>> drained;
		synchronized (this.pending) {
			drained = new ArrayList<>(this.pending);
			this.pending.clear();
			this.operations = resolved;
		}
		for (Map.Entry<Method, Class<?>> method : drained) {
			resolved.validate(method.getKey(), method.getValue());
		}
	}

	/** Resolves one annotated method, or fails naming it. */
	@FunctionalInterface
	private interface Validation {

		void validate(Method method, Class<?> targetClass);

	}

}
