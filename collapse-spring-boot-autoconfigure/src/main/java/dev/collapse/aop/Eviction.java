package dev.collapse.aop;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.Collapser;

/**
 * One {@code @CollapseEvict} of a method, resolved: which instance, which key (none for all
 * entries), and whether it goes before the method runs.
 */
final class Eviction {

	private static final Log logger = LogFactory.getLog(Eviction.class);

	private final String name;

	/** {@code null} when every entry of the instance goes. */
	private final @Nullable KeyFunction key;

	private final boolean beforeInvocation;

	private final String origin;

	Eviction(String name, @Nullable KeyFunction key, boolean beforeInvocation, String origin) {
		this.name = name;
		this.key = key;
		this.beforeInvocation = beforeInvocation;
		this.origin = origin;
	}

	boolean beforeInvocation() {
		return this.beforeInvocation;
	}

	/**
	 * What to evict for one call: the key is computed now, on the caller's thread, so that a key
	 * that cannot be computed fails the call (and rolls its transaction back) instead of leaving
	 * a stale entry behind silently.
	 * @throws CollapseKeyException if the key cannot be computed
	 */
	Runnable prepare(Collapser collapser, @Nullable Object target, @Nullable Object[] args) {
		if (this.key == null) {
			return () -> evict(collapser, null);
		}
		Object key = this.key.key(target, args);
		return () -> evict(collapser, key);
	}

	/**
	 * The data is written by now, maybe committed: an eviction that fails must not fail the
	 * method. The Collapser logs Redis failures itself; anything else is logged here.
	 */
	private void evict(Collapser collapser, @Nullable Object key) {
		try {
			if (key == null) {
				collapser.evictAll(this.name);
			}
			else {
				collapser.evict(this.name, key);
			}
		}
		catch (RuntimeException ex) {
			// the exception's class only: its message or cause may carry the key, and no key is logged
			logger.warn(this.origin + ": entries of collapse instance '" + this.name + "' could not be evicted ("
					+ ex.getClass().getName() + "); they expire by their ttl");
		}
	}

}
