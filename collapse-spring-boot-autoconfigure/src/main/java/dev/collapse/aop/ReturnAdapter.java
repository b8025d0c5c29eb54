package dev.collapse.aop;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.BaseStream;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.GenericTypeResolver;
import org.springframework.util.ClassUtils;

import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseInstance;

/**
 * Turns a call of one return type into a call of the core: a plain value (and {@code Optional},
 * which is a value, and {@code void}, whose value is its completion), a {@code CompletionStage},
 * or a Reactor {@code Mono}. Chosen once per method.
 */
abstract class ReturnAdapter {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			ReturnAdapter.class.getClassLoader());

	/** Publishers of many values: nothing to share, and no single success to evict after. */
	static final String[] MULTI_VALUE_TYPES = { "reactor.core.publisher.Flux", "org.reactivestreams.Publisher",
			"java.util.concurrent.Flow$Publisher", "kotlinx.coroutines.flow.Flow", "io.reactivex.rxjava3.core.Flowable",
			"io.reactivex.rxjava3.core.Observable" };

	/** Runs the call through {@code instance}; the key is already computed. */
	abstract @Nullable Object invoke(CollapseInstance instance, Object key, MethodInvocation invocation) throws Throwable;

	/**
	 * The adapter for {@code method}'s return type.
	 * @throws CollapseConfigurationException if the type cannot be collapsed
	 */
	static ReturnAdapter of(Method method, String origin) {
		Class<?> type = method.getReturnType();
		if (REACTOR_PRESENT && MonoAdapter.isMono(type)) {
			return new MonoAdapter();
		}
		for (String multi : MULTI_VALUE_TYPES) {
			if (isAssignable(multi, type, method)) {
				throw new CollapseConfigurationException(origin, "return type " + type.getSimpleName()
						+ " emits many values; @Collapsed shares one result (return Mono<List<T>> or a List instead)");
			}
		}
		if (BaseStream.class.isAssignableFrom(type) || java.util.Iterator.class.isAssignableFrom(type)) {
			throw new CollapseConfigurationException(origin, "return type " + type.getSimpleName()
					+ " can be consumed only once and cannot be shared; return a List instead");
		}
		if (type == CompletionStage.class || type == CompletableFuture.class) {
			return new StageAdapter();
		}
		if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)) {
			throw new CollapseConfigurationException(origin, "return type " + type.getSimpleName()
					+ " is not supported; declare CompletableFuture or CompletionStage");
		}
		return new ValueAdapter();
	}

	/**
	 * Type of the values a method's calls share: its generic return type resolved against
	 * {@code targetClass}, without the {@code Mono} or {@code CompletableFuture} around it; {@code Object}
	 * when a stage or Mono does not say.
	 */
	static Type valueType(Method method, Class<?> targetClass) {
		if (method.getReturnType() == void.class) {
			// shared as a completion: a null value, stored like any other
			return Void.class;
		}
		Type type = GenericTypeResolver.resolveType(method.getGenericReturnType(), targetClass);
		Class<?> raw = method.getReturnType();
		boolean wrapper = raw == CompletionStage.class || raw == CompletableFuture.class
				|| (REACTOR_PRESENT && MonoAdapter.isMono(raw));
		if (!wrapper) {
			return type;
		}
		if (type instanceof ParameterizedType parameterized) {
			return parameterized.getActualTypeArguments()[0];
		}
		return Object.class;
	}

	static boolean isAssignable(String className, Class<?> type, Method method) {
		ClassLoader loader = (method.getDeclaringClass().getClassLoader() != null)
				? method.getDeclaringClass().getClassLoader() : ReturnAdapter.class.getClassLoader();
		if (!ClassUtils.isPresent(className, loader)) {
			return false;
		}
		return ClassUtils.resolveClassName(className, loader).isAssignableFrom(type);
	}

	/**
	 * Proceeds with a fresh copy of the invocation, so that a retry, an early refresh or a second
	 * subscription of a Mono runs every interceptor after ours again.
	 */
	static @Nullable Object proceed(MethodInvocation invocation) throws Throwable {
		if (invocation instanceof ProxyMethodInvocation proxyInvocation) {
			return proxyInvocation.invocableClone().proceed();
		}
		return invocation.proceed();
	}

	static final class ValueAdapter extends ReturnAdapter {

		@Override
		@Nullable Object invoke(CollapseInstance instance, Object key, MethodInvocation invocation) throws Throwable {
			// a method reference that captures nothing: a hit allocates no loader
			return instance.call(key, ReturnAdapter::proceed, invocation);
		}

	}

	static final class StageAdapter extends ReturnAdapter {

		@Override
		Object invoke(CollapseInstance instance, Object key, MethodInvocation invocation) {
			return instance.callAsync(key, () -> (CompletionStage<?>) proceed(invocation));
		}

	}

}
