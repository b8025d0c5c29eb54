package dev.collapse.aop;

import org.aopalliance.intercept.MethodInvocation;

import dev.collapse.core.CollapseInstance;
import reactor.core.publisher.Mono;

/**
 * Reactor {@code Mono}: lazy like any Mono, so nothing runs before a subscription, and each
 * subscription joins the load in flight or starts one; for {@code @CollapseEvict}, the success
 * after which entries go. Loaded only when Reactor is present.
 */
final class MonoAdapter extends ReturnAdapter {

	static boolean isMono(Class<?> type) {
		return type == Mono.class;
	}

	@Override
	Object invoke(CollapseInstance instance, Object key, MethodInvocation invocation) {
		// the load subscribes with the leading subscriber's Context, as that subscriber would
		// without collapse: reactive security and tracing live there, not on a thread
		return Mono.deferContextual((context) -> Mono.fromFuture(
				instance.callAsync(key, () -> ((Mono<?>) proceed(invocation)).contextWrite(context).toFuture())));
	}

	/** {@code mono} that runs {@code eviction} when it succeeds, before its subscriber hears of it. */
	static Object afterSuccess(Object mono, Runnable eviction) {
		return ((Mono<?>) mono).doOnSuccess((value) -> eviction.run());
	}

}
