package dev.collapse.core;

import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.LocalStore.Entry;

/**
 * X-Fetch's early refresh of an entry of this JVM's store, once a hit has rolled it
 * ({@link CollapseInstance} rolls the dice on the hit path): a background thread leads a flight
 * of the key, marked {@link Flight#refresh()}, so that one refresh runs per key and callers that
 * miss meanwhile attach to it. One flow for both forms of loader. Failures are logged, never
 * thrown: callers keep the current entry until it expires, and the next miss loads again.
 *
 * <p>The fleet's early refresh is {@link FleetLeader}'s: it holds no flight. Both are submitted
 * through {@link #submit(Runnable)}. Holds no state of its own.
 */
final class EarlyRefresh {

	private static final System.Logger logger = System.getLogger(CollapseInstance.class.getName());

	private final CollapseInstance instance;

	EarlyRefresh(CollapseInstance instance) {
		this.instance = instance;
	}

	/** Refreshes {@code key} in the background, since the read of {@code rolled} rolled it. */
	void submit(Object key, Entry rolled, Loader loader) {
		if (rolled.copy()) {
			// a copy of a fleet entry: refreshed through the fleet's lease, one refresh per fleet
			this.instance.fleetLeader.refreshCopy(key, rolled.version(), () -> this.instance.retry.load(loader));
			return;
		}
		submit(() -> refresh(key, rolled, loader, null));
	}

	/** {@link #submit(Object, Entry, Loader)} with an asynchronous loader. */
	void submit(Object key, Entry rolled, AsyncLoader loader) {
		if (rolled.copy()) {
			this.instance.fleetLeader.refreshCopy(key, rolled.version(), () -> this.instance.retry.await(loader));
			return;
		}
		submit(() -> refresh(key, rolled, null, loader));
	}

	/** Runs {@code refresh} on the refresh executor, or skips it when the executor is saturated. */
	void submit(Runnable refresh) {
		try {
			this.instance.refreshExecutor.execute(refresh);
		}
		catch (RejectedExecutionException ex) {
			// the refresh executor is saturated: the entry is still served and refreshed on expiry
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' skipped: executor saturated",
					this.instance.name);
		}
	}

	/**
	 * @param rolled the entry whose read rolled this refresh
	 * @param loader the synchronous loader, or {@code null} when {@code asyncLoader} is given
	 */
	private void refresh(Object key, Entry rolled, @Nullable Loader loader, @Nullable AsyncLoader asyncLoader) {
		Flight candidate = Flight.refresh(this.instance.evictions.epoch());
		if (!this.instance.flights.tryLead(key, candidate)) {
			return;
		}
		Entry current = this.instance.store.get(this.instance.name, key);
		if (completedByNewerEntry(key, candidate, rolled, current)) {
			return;
		}
		this.instance.events.onRefresh(RefreshTrigger.EARLY);
		// the refresh's thread is loading the key: a call of the same key from inside this load
		// must fail fast, not attach to this flight and wait for itself
		candidate.loadingThread = Thread.currentThread();
		try {
			// the entry stored now (the rolled one, unless it was evicted or replaced since the
			// refresh was queued) backs stale-if-error for callers that attach once it has expired
			this.instance.localLeader.load(key, candidate, loader, asyncLoader, current, false, false);
		}
		catch (Throwable ex) {
			// completes the flight if what threw came before it could (a listener's Error):
			// callers attached meanwhile get the failure instead of hanging
			this.instance.flights.fail(key, candidate, ex);
			// callers keep the current entry until it expires; the next miss loads again
			logger.log(System.Logger.Level.DEBUG, "Early refresh of collapse instance ''{0}'' failed: {1}",
					this.instance.name, ex.getClass().getName());
		}
		finally {
			candidate.loadingThread = null;
		}
	}

	/**
	 * Completes a refresh's flight without a load when the entry it was rolled for has been
	 * replaced since by a live one: several reads may roll before the first queued refresh runs,
	 * and those that run after it stored its result have nothing left to do.
	 */
	private boolean completedByNewerEntry(Object key, Flight flight, Entry rolled, @Nullable Entry current) {
		if (current == rolled || current == null || current.expired(this.instance.ticker.read())) {
			return false;
		}
		this.instance.flights.complete(key, flight, current.value(), null, CallResult.HIT, 0, this.instance.events);
		return true;
	}

}
