package dev.collapse.core;

import java.util.List;
import java.util.function.Consumer;

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

}
