package dev.collapse.aop;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

import dev.collapse.core.CollapseConfigurationException;

/**
 * When a {@code @CollapseEvict} method has "returned normally", by its return type: a plain
 * method (void included) when it returns, a {@code CompletionStage} or a Reactor {@code Mono} when
 * it completes successfully. Chosen once per method.
 */
enum EvictTiming {

	/** The method's return is its success. */
	RETURN,

	/** The stage's successful completion; the caller gets a stage that completes after the eviction. */
	STAGE,

	/** The Mono's success; the eviction runs before the subscriber sees it. */
	MONO;

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			EvictTiming.class.getClassLoader());

	/**
	 * @throws CollapseConfigurationException if the return type's success cannot be observed
	 */
	static EvictTiming of(Method method, String origin) {
		Class<?> type = method.getReturnType();
		if (REACTOR_PRESENT && MonoAdapter.isMono(type)) {
			return MONO;
		}
		if (type == CompletionStage.class || type == CompletableFuture.class) {
			return STAGE;
		}
		for (String multi : ReturnAdapter.MULTI_VALUE_TYPES) {
			if (ReturnAdapter.isAssignable(multi, type, method)) {
				throw new CollapseConfigurationException(origin, "return type " + type.getSimpleName()
						+ " has no single success to evict after; return Mono<Void> or a CompletableFuture instead");
			}
		}
		if (CompletionStage.class.isAssignableFrom(type) || Future.class.isAssignableFrom(type)) {
			throw new CollapseConfigurationException(origin, "return type " + type.getSimpleName()
					+ " is not supported; declare CompletableFuture or CompletionStage");
		}
		return RETURN;
	}

	/** {@code result}, or what replaces it, with {@code eviction} run on its success. */
	@Nullable Object afterSuccess(@Nullable Object result, Runnable eviction) {
		if (this == RETURN || result == null) {
			eviction.run();
			return result;
		}
		if (this == STAGE) {
			// the stage the caller gets completes after the eviction: a continuation that reads
			// again cannot see the old entry
			return ((CompletionStage<?>) result).whenComplete((value, failure) -> {
				if (failure == null) {
					eviction.run();
				}
			});
		}
		return MonoAdapter.afterSuccess(result, eviction);
	}

}
