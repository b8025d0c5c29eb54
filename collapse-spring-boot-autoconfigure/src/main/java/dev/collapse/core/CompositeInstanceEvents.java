package dev.collapse.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** Fans events out to several listeners; a listener that throws is skipped, never the call. */
final class CompositeInstanceEvents implements InstanceEvents {

	private static final System.Logger logger = System.getLogger(CompositeInstanceEvents.class.getName());

	private final InstanceEvents[] delegates;

	CompositeInstanceEvents(List<InstanceEvents> delegates) {
		this.delegates = delegates.toArray(new InstanceEvents[0]);
	}

	private void each(Consumer<InstanceEvents> event) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				event.accept(delegate);
			}
			catch (RuntimeException ex) {
				logger.log(System.Logger.Level.WARNING, "Collapse listener " + delegate.getClass().getName() + " failed", ex);
			}
		}
	}

	@Override
	public void onCall(CallResult result) {
		each((events) -> events.onCall(result));
	}

	@Override
	public void onLoad(boolean success, long nanos) {
		each((events) -> events.onLoad(success, nanos));
	}

	@Override
	public void onRetry() {
		each(InstanceEvents::onRetry);
	}

	@Override
	public void onHerd(Object key, int callers, long loadNanos) {
		each((events) -> events.onHerd(key, callers, loadNanos));
	}

	@Override
	public void onWait(long nanos) {
		each((events) -> events.onWait(nanos));
	}

	@Override
	public void onRefresh(RefreshTrigger trigger) {
		each((events) -> events.onRefresh(trigger));
	}

	@Override
	public void onFallback() {
		each(InstanceEvents::onFallback);
	}

	@Override
	public void onLeaseLost() {
		each(InstanceEvents::onLeaseLost);
	}

	@Override
	public LoadObservation startLoad() {
		return start(InstanceEvents::startLoad);
	}

	@Override
	public LoadObservation startWait() {
		return start(InstanceEvents::startWait);
	}

	private LoadObservation start(Function<InstanceEvents, LoadObservation> start) {
		List<LoadObservation> started = new ArrayList<>(2);
		for (InstanceEvents delegate : this.delegates) {
			try {
				LoadObservation observation = start.apply(delegate);
				if (observation != null && observation != LoadObservation.NONE) {
					started.add(observation);
				}
			}
			catch (RuntimeException ex) {
				logger.log(System.Logger.Level.WARNING, "Collapse listener " + delegate.getClass().getName() + " failed", ex);
			}
		}
		if (started.isEmpty()) {
			return LoadObservation.NONE;
		}
		return (started.size() == 1) ? started.get(0) : new CompositeLoadObservation(started);
	}

	/** Opens scopes in order and closes them in reverse; one that throws is skipped. */
	private static final class CompositeLoadObservation implements LoadObservation {

		private final LoadObservation[] delegates;

		CompositeLoadObservation(List<LoadObservation> delegates) {
			this.delegates = delegates.toArray(new LoadObservation[0]);
		}

		@Override
		public Scope openScope() {
			Scope[] scopes = new Scope[this.delegates.length];
			for (int i = 0; i < scopes.length; i++) {
				try {
					scopes[i] = this.delegates[i].openScope();
				}
				catch (RuntimeException ex) {
					scopes[i] = Scope.NONE;
					logger.log(System.Logger.Level.WARNING, "Collapse load observation failed", ex);
				}
			}
			return () -> {
				for (int i = scopes.length - 1; i >= 0; i--) {
					try {
						scopes[i].close();
					}
					catch (RuntimeException ex) {
						logger.log(System.Logger.Level.WARNING, "Collapse load observation failed", ex);
					}
				}
			};
		}

		@Override
		public void stop(CallResult result, Throwable failure) {
			for (LoadObservation delegate : this.delegates) {
				try {
					delegate.stop(result, failure);
				}
				catch (RuntimeException ex) {
					logger.log(System.Logger.Level.WARNING, "Collapse load observation failed", ex);
				}
			}
		}

	}

}
