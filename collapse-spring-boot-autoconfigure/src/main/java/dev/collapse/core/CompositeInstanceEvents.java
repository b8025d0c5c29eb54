package dev.collapse.core;

import java.util.List;

/**
 * Hands each event to every listener in order. A listener that throws is logged and skipped:
 * an event sink must never break a call or leave a flight uncompleted. Plain loops, no lambdas,
 * so that reporting a hit allocates nothing.
 */
final class CompositeInstanceEvents implements InstanceEvents {

	private static final System.Logger logger = System.getLogger(CompositeInstanceEvents.class.getName());

	private final InstanceEvents[] delegates;

	CompositeInstanceEvents(List<InstanceEvents> delegates) {
		this.delegates = delegates.toArray(new InstanceEvents[0]);
	}

	private static void failed(InstanceEvents delegate, RuntimeException ex) {
		logger.log(System.Logger.Level.WARNING, "Collapse listener " + delegate.getClass().getName() + " failed", ex);
	}

	@Override
	public void onCall(CallResult result) {
		for (InstanceEvents delegate : this.delegates) {
			try {
				delegate.onCall(result);
			}
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
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
			catch (RuntimeException ex) {
				failed(delegate, ex);
			}
		}
	}

}
