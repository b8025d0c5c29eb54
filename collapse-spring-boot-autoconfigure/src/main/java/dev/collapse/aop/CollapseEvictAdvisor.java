package dev.collapse.aop;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;

import dev.collapse.annotation.CollapseEvict;

/**
 * Applies the {@link CollapseEvictInterceptor} to every method annotated with
 * {@link CollapseEvict}, once or repeated (then Java wraps them in {@link CollapseEvict.List}).
 */
public final class CollapseEvictAdvisor extends DefaultPointcutAdvisor {

	private static final long serialVersionUID = 1L;

	private static final Pointcut ANNOTATED = new ComposablePointcut(
			new AnnotationMatchingPointcut(null, CollapseEvict.class, true))
		.union(new AnnotationMatchingPointcut(null, CollapseEvict.List.class, true));

	public CollapseEvictAdvisor(CollapseEvictInterceptor interceptor, int order) {
		super(ANNOTATED, interceptor);
		setOrder(order);
	}

}
