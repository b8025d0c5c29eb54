package dev.collapse.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Loads in flight in one instance, one per key. The first caller of a key becomes its leader and
 * runs the load; callers that arrive while it runs attach to the same {@link Flight} and wait on
 * its future. A flight is removed before its future completes, so a caller arriving after the
 * outcome is known starts afresh (and finds the stored entry, when there is one); the one
 * exception is a distributed leader's value, handed over as soon as it is loaded, while the
 * flight stays until Redis has it: a caller arriving then gets that value at once.
 */
final class LocalSingleFlight {

	private final ConcurrentHashMap<Object, Flight> flights = new ConcurrentHashMap<>();

	/**
	 * Joins the flight of {@code key}, creating it when there is none. The caller is the leader
	 * if and only if the returned flight is {@code candidate}.
	 */
	Flight join(Object key, Flight candidate) {
		// compute runs under the bin lock, as does remove(key, flight): the follower count is
		// therefore exact when the leader reads it after removing the flight.
		return this.flights.compute(key, (k, existing) -> {
			if (existing == null) {
				return candidate;
			}
			existing.followers++;
			return existing;
		});
	}

	/** Starts a flight for {@code key} if none runs; never attaches to a running one. */
	boolean tryLead(Object key, Flight candidate) {
		return this.flights.putIfAbsent(key, candidate) == null;
	}

	/** The flight of {@code key}, or {@code null}. */
	Flight get(Object key) {
		return this.flights.get(key);
	}

	/**
	 * Removes {@code flight} if it is still the one of {@code key}, and returns how many callers
	 * it served, its leader included. No caller can attach to it afterwards.
	 */
	int finish(Object key, Flight flight) {
		this.flights.remove(key, flight);
		// after the removal no compute can touch the flight: the count is final
		return flight.followers + 1;
	}

	int size() {
		return this.flights.size();
	}

	/**
	 * Callers attached to the flight of {@code key} so far, its leader excluded, or -1 when no
	 * flight runs. Read under the bin lock, so the count is exact at that instant; for tests
	 * that hold a load until every caller has arrived.
	 */
	int followers(Object key) {
		int[] count = { -1 };
		this.flights.computeIfPresent(key, (k, flight) -> {
			count[0] = flight.followers;
			return flight;
		});
		return count[0];
	}

	/** One load in flight. */
	static final class Flight {

		/** Completed once by the leader (see {@link #settle}), as a rule after the flight has been removed from the map. */
		final CompletableFuture<Object> result = new CompletableFuture<>();

		/**
		 * What synchronous followers park on, without a timer of their own: completed right after
		 * {@link #result}, or earlier by {@link #watchdog} when the first of them has waited its
		 * whole wait timeout (every later one then waits out the rest of its own, timed).
		 */
		final CompletableFuture<Void> woken = new CompletableFuture<>();

		/** The one timer of the flight, started by its first synchronous follower; {@code null} before. */
		volatile ScheduledFuture<?> watchdog;

		/** 1 once a follower has claimed the start of {@link #watchdog}. */
		private volatile int watched;

		/**
		 * Thread running the synchronous part of the load, {@code null} otherwise. Written by the
		 * leader, read by callers to detect a load that calls its own key.
		 */
		volatile Thread loadingThread;

		/**
		 * How the callers that attached are counted; written by the leader before it completes
		 * {@link #result}, read by them after.
		 */
		volatile CallResult followerResult = CallResult.FOLLOWER;

		/** Callers that attached; written only under the map's bin lock (see join and finish). */
		int followers;

		/** Whether no caller leads this flight: an early refresh. Final once published. */
		boolean refresh;

		/** Whether the calling follower is the first to ask, and so starts the watchdog. */
		boolean claimWatchdog() {
			return this.watched == 0 && WATCHED.compareAndSet(this, 0, 1);
		}

		/**
		 * Hands the outcome to every caller attached, once: a later call does nothing (the leader
		 * of a distributed load hands its value over as soon as it is loaded, then settles again).
		 * @param followerResult how those callers are counted, written before they can read it
		 */
		void settle(Object value, Throwable failure, CallResult followerResult) {
			if (this.result.isDone()) {
				return;
			}
			this.followerResult = followerResult;
			if (failure != null) {
				this.result.completeExceptionally(failure);
			}
			else {
				this.result.complete(value);
			}
			this.woken.complete(null);
			ScheduledFuture<?> timer = this.watchdog;
			if (timer != null) {
				timer.cancel(false);
			}
		}

		private static final VarHandle WATCHED;

		static {
			try {
				WATCHED = MethodHandles.lookup().findVarHandle(Flight.class, "watched", int.class);
			}
			catch (ReflectiveOperationException ex) {
				throw new ExceptionInInitializerError(ex);
			}
		}

		/** A flight of an early refresh, led by a background thread rather than a caller. */
		static Flight refresh() {
			Flight flight = new Flight();
			flight.refresh = true;
			return flight;
		}

	}

}
