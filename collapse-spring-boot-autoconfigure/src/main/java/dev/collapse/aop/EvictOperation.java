package dev.collapse.aop;

import java.util.ArrayList;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

import dev.collapse.core.Collapser;

/**
 * The {@code @CollapseEvict}s of one method, resolved once: those that run before it, those that
 * run after its success, and when that success is (docs/design.md, "Eviction on write").
 */
final class EvictOperation {

	/** spring-tx is optional: without it there is no transaction to wait for. */
	private static final boolean TRANSACTIONS_PRESENT = ClassUtils.isPresent(
			"org.springframework.transaction.support.TransactionSynchronizationManager",
			EvictOperation.class.getClassLoader());

	private final Collapser collapser;

	private final List<Eviction> before;

	private final List<Eviction> after;

	private final EvictTiming timing;

	EvictOperation(Collapser collapser, List<Eviction> evictions, EvictTiming timing) {
		this.collapser = collapser;
		this.before = evictions.stream().filter(Eviction::beforeInvocation).toList();
		this.after = evictions.stream().filter((eviction) -> !eviction.beforeInvocation()).toList();
		this.timing = timing;
	}

	@Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		@Nullable Object[] args = invocation.getArguments();
		if (!this.before.isEmpty()) {
			prepare(this.before, target, args).run();
		}
		Object result = invocation.proceed();
		if (this.after.isEmpty()) {
			return result;
		}
		return this.timing.afterSuccess(result, () -> afterSuccess(target, args));
	}

	/**
	 * Keys are computed after the method ran, so that an id it assigned is seen. In a transaction
	 * of this thread the entries go after commit, else now.
	 */
	private void afterSuccess(@Nullable Object target, @Nullable Object[] args) {
		Runnable evictions = prepare(this.after, target, args);
		if (!TRANSACTIONS_PRESENT || !AfterCommit.defer(evictions)) {
			evictions.run();
		}
	}

	private Runnable prepare(List<Eviction> evictions, @Nullable Object target, @Nullable Object[] args) {
		List<Runnable> prepared = new ArrayList<>(evictions.size());
		for (Eviction eviction : evictions) {
			prepared.add(eviction.prepare(this.collapser, target, args));
		}
		return () -> prepared.forEach(Runnable::run);
	}

}
