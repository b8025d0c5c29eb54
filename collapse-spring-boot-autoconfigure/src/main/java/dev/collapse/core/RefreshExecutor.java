package dev.collapse.core;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Where early refreshes run. A type of its own rather than an {@link Executor} bean, so that
 * defining it never displaces an application's own executors. Replace the bean to run refreshes
 * elsewhere (virtual threads, say); a refresh the executor rejects is skipped, not run inline.
 * A refresh never throws into the executor: its failure is logged and the current entry stays.
 */
public final class RefreshExecutor implements AutoCloseable {

	private final Executor executor;

	private final boolean owned;

	private RefreshExecutor(Executor executor, boolean owned) {
		this.executor = Objects.requireNonNull(executor, "executor");
		this.owned = owned;
	}

	/** Runs refreshes on {@code executor}, which the caller owns and shuts down. */
	public static RefreshExecutor of(Executor executor) {
		return new RefreshExecutor(executor, false);
	}

	/**
	 * A small pool of daemon threads (at most {@code threads}) with a bounded queue: refreshes
	 * beyond it are dropped, since the entry they would refresh is still served.
	 */
	public static RefreshExecutor bounded(int threads, int queue) {
		return new RefreshExecutor(CollapseExecutor.pool("collapse-refresh-", threads, queue), true);
	}

	/** The executor itself. */
	public Executor executor() {
		return this.executor;
	}

	/** Shuts down the pool if this object created it. */
	@Override
	public void close() {
		if (this.owned && this.executor instanceof ThreadPoolExecutor pool) {
			pool.shutdownNow();
		}
	}

}
