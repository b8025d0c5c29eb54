package dev.collapse.aop;

import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.util.function.SingletonSupplier;

/**
 * Intercepts {@code @Collapsed} methods. It resolves nothing itself: the operations are looked
 * up lazily, on the first call, so that the beans behind them are created after the
 * application's bean post-processors, with everything those do to them.
 */
public final class CollapsedInterceptor implements MethodInterceptor {

	private final SingletonSupplier<CollapsedOperations> operations;

	public CollapsedInterceptor(Supplier<CollapsedOperations> operations) {
		this.operations = SingletonSupplier.of(operations);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		// the target itself, not the proxy: its class is the bean's class (operations strip a
		// CGLIB subclass when they resolve it); no interface check on the hot path
		Class<?> targetClass = (target != null) ? target.getClass() : invocation.getMethod().getDeclaringClass();
		CollapsedOperation operation = this.operations.obtain().get(invocation.getMethod(), targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		return operation.invoke(invocation);
	}

}
