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

import dev.collapse.annotation.Collapsed;

/**
 * Finds the {@code @Collapsed} methods of every bean as it is created, and resolves them once
 * all singletons exist, so that a bad annotation stops the application at startup with a message
 * that names the method and attribute. It depends on nothing at creation, so it delays no bean.
 */
public final class CollapsedMethodValidator implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware {

	private final Set<Class<?>> seen = ConcurrentHashMap.newKeySet();

	/** Guarded by itself, as is the switch from collecting to validating at once. */
	private final List<Map.Entry<Method, Class<?>>> pending = new ArrayList<>();

	/** Null until singletons are instantiated; guarded by {@link #pending}. */
	private @Nullable CollapsedOperations operations;

	/** Set by the container before any other method is called. */
	private @Nullable BeanFactory beanFactory;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (!AnnotationUtils.isCandidateClass(targetClass, Collapsed.class) || !this.seen.add(targetClass)) {
			return bean;
		}
		Map<Method, Collapsed> annotated = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<Collapsed>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, Collapsed.class));
		for (Method method : annotated.keySet()) {
			CollapsedOperations ready;
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

	@Override
	public void afterSingletonsInstantiated() {
		CollapsedOperations resolved = this.beanFactory.getBean(CollapsedOperations.class);
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

}
