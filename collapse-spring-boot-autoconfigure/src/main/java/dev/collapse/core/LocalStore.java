package dev.collapse.core;

import java.util.Objects;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Results of every instance of one application, in one bounded Caffeine cache. Each entry expires
 * at its own time (ttl plus its own jitter), so entries written together leave spread out.
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
		this.cache = Caffeine.newBuilder()
			.maximumSize(maxEntries)
			.ticker(ticker)
			.expireAfter(new EntryExpiry())
			.build();
	}

	/** Time source shared by everything that compares times with entries. */
	public Ticker ticker() {
		return this.ticker;
	}

	/**
	 * The entry of {@code key}, or {@code null}. It may have expired: expired entries are kept
	 * until {@link Entry#retainUntil()} so that a reload can be told from a first load, and so
	 * that stale-if-error has something to serve.
	 */
	Entry get(String instance, Object key) {
		return this.cache.getIfPresent(new Key(instance, key));
	}

	void put(String instance, Object key, Entry entry) {
		this.cache.put(new Key(instance, key), entry);
	}

	void evict(String instance, Object key) {
		this.cache.invalidate(new Key(instance, key));
	}

	void evictAll(String instance) {
		this.cache.asMap().keySet().removeIf((key) -> key.instance.equals(instance));
	}

	/** Number of live entries of {@code instance}; walks the whole store. */
	long size(String instance) {
		return this.cache.asMap().keySet().stream().filter((key) -> key.instance.equals(instance)).count();
	}

	/** Runs pending maintenance now (expiry, eviction); for tests and for the endpoint. */
	public void cleanUp() {
		this.cache.cleanUp();
	}

	/** Number of entries of all instances, expired ones not yet cleaned up included. */
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
	 * @param retainUntil ticker time from which the entry is dropped, at or after expiresAt
	 */
	record Entry(Object value, long loadNanos, long expiresAt, long retainUntil) {

		boolean expired(long now) {
			return now - this.expiresAt >= 0;
		}

	}

	private final class EntryExpiry implements Expiry<Key, Entry> {

		@Override
		public long expireAfterCreate(Key key, Entry entry, long currentTime) {
			return Math.max(0, entry.retainUntil - currentTime);
		}

		@Override
		public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
			return Math.max(0, entry.retainUntil - currentTime);
		}

		@Override
		public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
