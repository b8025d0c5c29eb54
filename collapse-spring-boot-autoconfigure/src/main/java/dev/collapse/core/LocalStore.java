package dev.collapse.core;

import java.util.Objects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Results of every instance of one node, in one Caffeine cache bounded by size. Thread-safe:
 * every operation is atomic per key, as Caffeine's are; the size bound is applied
 * asynchronously, so the store may hold a few more entries than its bound for a moment.
 *
 * <p>Each entry carries its own expiry (ttl plus its own jitter), checked by the reader against
 * the ticker, so that entries written together leave spread out. Caffeine itself is given no
 * time-based expiry: per-entry expiry in Caffeine records every read in a buffer drained on
 * another thread, which cost more than the whole lookup on the hit path (measured in
 * collapse-benchmarks). An expired entry therefore stays until its key is loaded again, or until
 * the size bound evicts it; it still serves stale-if-error and tells a reload from a first load.
 */
public final class LocalStore {

	private final Cache<Key, Entry> cache;

	private final Ticker ticker;

	/**
	 * @param maxEntries bound on the number of entries of all instances together
	 * @param ticker time source, in nanoseconds; {@link Ticker#systemTicker()} outside tests
	 */
	public LocalStore(long maxEntries, Ticker ticker) {
		if (maxEntries < 0) {
			throw new IllegalArgumentException("max-entries must not be negative, was " + maxEntries);
		}
		this.ticker = ticker;
		this.cache = Caffeine.newBuilder().maximumSize(maxEntries).build();
	}

	/** Time source shared by everything that compares times with entries. */
	public Ticker ticker() {
		return this.ticker;
	}

	/**
	 * The entry of {@code key}, or {@code null}. It may have expired: the reader compares
	 * {@link Entry#expiresAt()} with the ticker.
	 */
	@Nullable Entry get(String instance, Object key) {
		return this.cache.getIfPresent(new Key(instance, key));
	}

	void put(String instance, Object key, Entry entry) {
		this.cache.put(new Key(instance, key), entry);
	}

	/** @return whether an entry was there, expired or not */
	boolean evict(String instance, Object key) {
		return this.cache.asMap().remove(new Key(instance, key)) != null;
	}

	/** Removes {@code entry} if it is still the one of {@code key}. */
	void evict(String instance, Object key, Entry entry) {
		this.cache.asMap().remove(new Key(instance, key), entry);
	}

	/** Removes the copy of {@code key} unless it is of {@code version}; whether one was removed. */
	boolean evictCopy(String instance, Object key, @Nullable String version) {
		boolean[] removed = new boolean[1];
		this.cache.asMap().computeIfPresent(new Key(instance, key), (k, entry) -> {
			removed[0] = entry.copy() && !entry.version().equals(version);
			return removed[0] ? null : entry;
		});
		return removed[0];
	}

	/** Removes every copy of a fleet entry that {@code instance} keeps. */
	void evictCopies(String instance) {
		this.cache.asMap().entrySet().removeIf((e) -> e.getKey().instance.equals(instance) && e.getValue().copy());
	}

	void evictAll(String instance) {
		this.cache.asMap().keySet().removeIf((key) -> key.instance.equals(instance));
	}

	/** Number of entries of {@code instance}, expired ones included; walks the whole store. */
	long size(String instance) {
		return this.cache.asMap().keySet().stream().filter((key) -> key.instance.equals(instance)).count();
	}

	/** Runs pending maintenance (size eviction) now; for tests and for the endpoint. */
	public void cleanUp() {
		this.cache.cleanUp();
	}

	/** Number of entries of all instances, expired ones included. */
	public long estimatedSize() {
		return this.cache.estimatedSize();
	}

	/** An instance name and a key: entries of two instances never meet. */
	record Key(String instance, Object key) {

		Key {
			Objects.requireNonNull(instance, "instance");
			Objects.requireNonNull(key, "key");
		}

	}

	/**
	 * One stored result. Immutable.
	 *
	 * @param value the result, possibly {@code null}
	 * @param loadNanos how long the load took (X-Fetch's delta)
	 * @param expiresAt ticker time from which the entry is no longer served as a hit
	 * @param retainUntil ticker time until which an expired entry is still worth keeping
	 * @param failure the exception of a failed load, served until {@code expiresAt} instead of a
	 * value (failure-ttl); {@code null} for a result
	 * @param version for a copy of a fleet entry (near cache), the fleet's version of it; {@code null}
	 * for a result of this JVM
	 */
	record Entry(@Nullable Object value, long loadNanos, long expiresAt, long retainUntil, @Nullable Throwable failure,
			@Nullable String version) {

		/** A result. */
		Entry(@Nullable Object value, long loadNanos, long expiresAt, long retainUntil) {
			this(value, loadNanos, expiresAt, retainUntil, null, null);
		}

		/** A failure, served until {@code expiresAt} and kept no longer. */
		static Entry failed(Throwable failure, long loadNanos, long expiresAt) {
			return new Entry(null, loadNanos, expiresAt, expiresAt, failure, null);
		}

		/** A copy of the fleet's entry {@code version}, served until {@code expiresAt} and kept no longer. */
		static Entry copy(@Nullable Object value, long loadNanos, long expiresAt, String version) {
			return new Entry(value, loadNanos, expiresAt, expiresAt, null, version);
		}

		/** Whether it is a copy of a fleet entry, served only while the coordinator trusts copies. */
		boolean copy() {
			return this.version != null;
		}

		boolean expired(long now) {
			return now - this.expiresAt >= 0;
		}

	}

}
