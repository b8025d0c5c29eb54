package dev.collapse.core;

import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.LocalStore.Entry;
import dev.collapse.core.spi.DistributedCoordinator;

/**
 * The evictions of one instance, and the one path by which its leaders store results
 * (docs/design.md, Evictions and the load timeout). Once an eviction returns, no caller joins a
 * load that began before it and that load stores nothing: an eviction detaches the key's flight
 * before it drops the entry and once more as its last step, and a leader stores only under the
 * flight map's bin lock while its flight is still the key's and the store epoch has not moved.
 *
 * <p>Also what the fleet layer tells the instance ({@link DistributedCoordinator.Changes}): other
 * nodes' evictions, and changes of the layer's availability.
 */
final class Evictions implements DistributedCoordinator.Changes {

	private final CollapseInstance instance;

	/**
	 * The store epoch: a flight stores its result only if the epoch has not moved since the
	 * flight was created. Moved by evictAll and when the fleet's availability changes, each time
	 * before the store is cleared, so that no load that began before either stores.
	 */
	private final AtomicLong epoch = new AtomicLong();

	Evictions(CollapseInstance instance) {
		this.instance = instance;
	}

	/** The store epoch now: each new flight records it. */
	long epoch() {
		return this.epoch.get();
	}

	/** See {@link CollapseInstance#evict}. */
	boolean evict(Object key) {
		DistributedCoordinator coordinator = this.instance.coordinator;
		if (coordinator == null) {
			return dropLocal(key);
		}
		// the flight first: a result stored before this line is dropped by the next one, and none
		// is stored after it; the local part again last, since a flight that began while the fleet
		// was told may have read the entry the fleet just dropped
		boolean found = dropLocal(key);
		found |= coordinator.evict(key);
		// and a copy (near cache) that such a flight kept before the fleet's entry went
		dropLocal(key);
		return found;
	}

	/** See {@link CollapseInstance#evictAll}. */
	void evictAll() {
		dropAll();
		DistributedCoordinator coordinator = this.instance.coordinator;
		if (coordinator != null) {
			coordinator.evictAll();
			// a flight that began while the fleet was told may have read an entry it drops, and
			// kept a copy of it
			dropAll();
		}
	}

	/** Detaches the key's flight, drops its entry, then detaches again: this JVM's part of an eviction. */
	private boolean dropLocal(Object key) {
		this.instance.flights.forget(key);
		boolean found = this.instance.store.evict(this.instance.name, key);
		// a flight that began while the entry was dropped may have read it
		this.instance.flights.forget(key);
		return found;
	}

	/** {@link #evictAll} in this JVM only. */
	private void dropAll() {
		this.epoch.incrementAndGet();
		this.instance.flights.forgetAll();
		this.instance.store.evictAll(this.instance.name);
		// a flight that began while the store was cleared may have read an entry it dropped
		this.instance.flights.forgetAll();
	}

	/**
	 * Stores {@code entry} for {@code key} as the result of {@code flight}, unless an eviction or a
	 * change of the fleet's availability came after the flight began, or its load timeout released
	 * the key: such a result is stored nowhere.
	 */
	void store(Object key, Flight flight, Entry entry) {
		LocalStore store = this.instance.store;
		this.instance.flights.whileCurrent(key, flight, () -> {
			if (flight.epoch == this.epoch.get() && !flight.released()) {
				store.put(this.instance.name, key, entry);
			}
		});
		if (flight.epoch != this.epoch.get()) {
			// the epoch moved while the entry went in: the store may have been cleared before it
			store.evict(this.instance.name, key, entry);
		}
	}

	// --- what the fleet layer tells this instance

	@Override
	public void evicted(Object key) {
		if (dropLocal(key) && this.instance.coordinator != null) {
			this.instance.events.onCopyInvalidated();
		}
	}

	@Override
	public void copyChanged(Object key, @Nullable String version) {
		if (this.instance.store.evictCopy(this.instance.name, key, version)) {
			this.instance.events.onCopyInvalidated();
		}
	}

	@Override
	public void copyUnreachable(Object key) {
		// not an invalidation: no message changed the entry
		this.instance.store.evictCopy(this.instance.name, key, null);
	}

	@Override
	public void dropCopies() {
		this.instance.store.evictCopies(this.instance.name);
	}

	@Override
	public void evictedAll() {
		dropAll();
	}

	@Override
	public void availabilityChanged() {
		// what this node stored alone during an outage may have been replaced or evicted by the
		// fleet since: never serve it in the next one. Flights go on; their results are not stored
		this.epoch.incrementAndGet();
		this.instance.store.evictAll(this.instance.name);
	}

}
