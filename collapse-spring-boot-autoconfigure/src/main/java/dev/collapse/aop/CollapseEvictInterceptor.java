package dev.collapse.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.util.function.SingletonSupplier;

/**
 * Intercepts {@code @CollapseEvict} methods. As {@link CollapsedInterceptor}, it looks its
 * operations up on the first call, so that the beans behind them are created after the
 * application's bean post-processors.
 */
public final class CollapseEvictInterceptor implements MethodInterceptor {

	private final SingletonSupplier<EvictOperations> operations;

	public CollapseEvictInterceptor(Supplier<EvictOperations> operations) {
		this.operations = SingletonSupplier.of(operations);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? target.getClass() : invocation.getMethod().getDeclaringClass();
		EvictOperation operation = this.operations.obtain().get(invocation.getMethod(), targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		return operation.invoke(invocation);
	}

}
