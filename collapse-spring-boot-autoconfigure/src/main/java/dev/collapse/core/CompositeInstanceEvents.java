package dev.collapse.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Hands each event to every listener in order. A listener that throws (an exception or an
 * {@link Error} other than the JVM's own) is logged and skipped: an event sink must never break
 * a call or leave a flight uncompleted. Plain loops, no lambdas,
 * so that reporting a hit allocates nothing.
 */
final class CompositeInstanceEvents implements InstanceEvents {

	private static final System.Logger logger = System.getLogger(CompositeInstanceEvents.class.getName());

	private final InstanceEvents[] delegates;

	CompositeInstanceEvents(List<InstanceEvents> delegates) {
		this.delegates = delegates.toArray(new InstanceEvents[0]);
	}

	private static void failed(InstanceEvents delegate, Throwable ex) {
		rethrowIfFatal(ex);
		logger.log(System.Logger.Level.WARNING, "Collapse listener " + delegate.getClass().getName() + " failed", ex);
	}

	/**
	 * Lets the JVM's own failures through (an {@link OutOfMemoryError}, a
	 * {@link StackOverflowError}): the JVM is in trouble, not the listener, and the leader's flow
	 * completes its flight with them. Any other {@link Error} of a listener (a
	 * {@link NoSuchMethodError} from a library version mismatch) is the listener's, and skipped
	 * like its exceptions.
	 */
	private static void rethrowIfFatal(Throwable ex) {
		if (ex instanceof VirtualMachineError fatal) {
			throw fatal;
		}
	}

	@Override
	public void onCall(CallResult result) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onCall(result);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onLoad(boolean success, long nanos) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onLoad(success, nanos);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onLoadTimeout(long nanos) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onLoadTimeout(nanos);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onRetry() {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onRetry();
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onHerd(Object key, int callers, long loadNanos) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onHerd(key, callers, loadNanos);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onWait(long nanos) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onWait(nanos);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onRefresh(RefreshTrigger trigger) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onRefresh(trigger);
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onFallback() {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onFallback();
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onLeaseLost() {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onLeaseLost();
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public void onCopyInvalidated() {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onCopyInvalidated();
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
	}

	@Override
	public LoadObservation startLoad() {
		List<LoadObservation> started = null;
		for (InstanceEvents delegate : this.delegates) {
			try {
				started = add(started, delegate.startLoad());
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
		return (started != null) ? new GuardedLoadObservation(started) : LoadObservation.NONE;
	}

	@Override
	public LoadObservation startWait() {
		List<LoadObservation> started = null;
		for (InstanceEvents delegate : this.delegates) {
			try {
				started = add(started, delegate.startWait());
			}
			catch (Throwable ex) {
				failed(delegate, ex);
			}
		}
		return (started != null) ? new GuardedLoadObservation(started) : LoadObservation.NONE;
	}

	/**
	 * Keeps observations that observe something; allocates only for those. A listener that
	 * returned {@code null} against its contract observes nothing.
	 */
	private static @Nullable List<LoadObservation> add(@Nullable List<LoadObservation> started,
			@Nullable LoadObservation observation) {
		if (observation == null || observation == LoadObservation.NONE) {
			return started;
		}
		List<LoadObservation> list = (started != null) ? started : new ArrayList<>(2);
		list.add(observation);
		return list;
	}

	/**
	 * The observations of one load, guarded like the events: one that throws is logged and
	 * skipped, so that it never breaks the load or leaves its flight uncompleted. Scopes open in
	 * order and close in reverse.
	 */
	private static final class GuardedLoadObservation implements LoadObservation {

		private final LoadObservation[] delegates;

		GuardedLoadObservation(List<LoadObservation> delegates) {
			this.delegates = delegates.toArray(new LoadObservation[0]);
		}

		private static void failed(Throwable ex) {
			rethrowIfFatal(ex);
			logger.log(System.Logger.Level.WARNING, "Collapse load observation failed", ex);
		}

		@Override
		public Scope openScope() {
			Scope[] scopes = new Scope[this.delegates.length];
			for (int i = 0; i < scopes.length; i++) {
				try {
					scopes[i] = this.delegates[i].openScope();
				}
				catch (Throwable ex) {
					scopes[i] = Scope.NONE;
					failed(ex);
				}
			}
			return () -> {
				for (int i = scopes.length - 1; i >= 0; i--) {
					try {
						scopes[i].close();
					}
					catch (Throwable ex) {
						failed(ex);
					}
				}
			};
		}

		@Override
		public void stop(@Nullable CallResult result, @Nullable Throwable failure) {
			for (LoadObservation delegate : this.delegates) {
				try {
					delegate.stop(result, failure);
				}
				catch (Throwable ex) {
					failed(ex);
				}
			}
		}

	}

}
