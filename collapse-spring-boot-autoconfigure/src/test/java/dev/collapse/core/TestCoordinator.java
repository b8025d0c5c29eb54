package dev.collapse.core;

import java.lang.reflect.Type;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedLayer;

/**
 * A fleet played by a test: it answers the calls a test cares about ({@code available},
 * {@code serve}, {@code serveAsync}); refreshes, evictions and changes do nothing, and its
 * executor runs on the calling thread.
 */
public abstract class TestCoordinator implements DistributedCoordinator {

	@Override
	public @Nullable Outcome refresh(Object key, @Nullable String version, Loader load) {
		return null;
	}

	@Override
	public boolean evict(Object key) {
		return false;
	}

	@Override
	public boolean evictAll() {
		return false;
	}

	@Override
	public void listen(Changes changes) {
	}

	@Override
	public Executor executor() {
		return Runnable::run;
	}

	/** A layer whose one coordinator serves every instance; fleet evictions of other names do nothing. */
	public static DistributedLayer layer(DistributedCoordinator coordinator) {
		return new DistributedLayer() {

			@Override
			public DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType) {
				return coordinator;
			}

			@Override
			public boolean evict(String name, Object key) {
				return false;
			}

			@Override
			public boolean evictAll(String name) {
				return false;
			}

		};
	}

}
