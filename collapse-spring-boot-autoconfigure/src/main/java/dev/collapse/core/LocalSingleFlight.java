package dev.collapse.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

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

	/**
	 * Runs {@code action} under the bin lock of {@code key} if {@code flight} is still the flight
	 * of {@code key}: a leader stores its result this way, so that an eviction, which removes the
	 * flight under the same lock before it drops the stored entry, always wins (the entry is
	 * either stored before it and dropped by it, or never stored).
	 * @return whether {@code action} ran
	 */
	boolean whileCurrent(Object key, Flight flight, Runnable action) {
		boolean[] ran = { false };
		this.flights.computeIfPresent(key, (k, existing) -> {
			if (existing == flight) {
				action.run();
				ran[0] = true;
			}
			return existing;
		});
		return ran[0];
	}

	/**
	 * Detaches the flight of {@code key}, if one runs: no caller joins it any more, its result is
	 * stored nowhere, and the callers already attached still get its outcome.
	 */
	void forget(Object key) {
		this.flights.remove(key);
	}

	/** Detaches {@code flight} if it is still the one of {@code key}, as {@link #forget} does. */
	void forget(Object key, Flight flight) {
		this.flights.remove(key, flight);
	}

	/** {@link #forget} for every flight that runs now. */
	void forgetAll() {
		for (Object key : this.flights.keySet()) {
			this.flights.remove(key);
		}
	}

	/** Runs {@code action} on every flight in the map now, with its key. */
	void forEach(BiConsumer<Object, Flight> action) {
		this.flights.forEach(action);
	}

	/** The flight of {@code key}, or {@code null}. */
	@Nullable Flight get(Object key) {
		return this.flights.get(key);
	}

	/**
	 * Removes {@code flight} if it is still the one of {@code key}, then hands its outcome to
	 * every caller that attached to it and reports the herd it served. No caller can attach to it
	 * once it is removed.
	 * @param followerResult how those callers are counted
	 */
	void complete(Object key, Flight flight, @Nullable Object value, @Nullable Throwable failure, CallResult followerResult,
			long loadNanos, InstanceEvents events) {
		this.flights.remove(key, flight);
		// after the removal no compute can touch the flight: the count is final
		int served = flight.followers + 1;
		flight.settle(value, failure, followerResult);
		// a herd is the callers one load served: none when the flight was served from a stored
		// entry or a cached failure, and an early refresh's flight has no caller of its own
		int callers = flight.refresh ? served - 1 : served;
		if (followerResult != CallResult.HIT && followerResult != CallResult.FAILURE && callers > 0) {
			events.onHerd(key, callers, loadNanos);
		}
	}

	/**
	 * Completes {@code flight} with {@code failure} unless it is done already: the last resort of
	 * a leader's flow that threw before it could complete the flight (a listener's {@link Error},
	 * an {@link OutOfMemoryError} from the store or an executor). Removes the flight even when it
	 * was settled early (a fleet leader's), so that the next call of the key loads afresh. Reports
	 * nothing: listeners may be what failed.
	 */
	void fail(Object key, Flight flight, Throwable failure) {
		this.flights.remove(key, flight);
		flight.settle(null, failure, CallResult.FOLLOWER);
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

}
