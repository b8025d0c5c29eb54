package dev.collapse.redis;

import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

/**
 * What one node needs to keep copies of the fleet's entries in its local store (docs/redis.md,
 * Near cache): whether copies are trusted now, and the striped counters that keep a read of Redis
 * from keeping a copy that a message has made old while the read was on the wire.
 *
 * <ul>
 * <li>Stripes: every message about an entry key bumps the counter of its stripe (the key's hash,
 * {@link #STRIPES} of them), under the stripe's lock. A caller takes a {@link Stamp} of the stripe
 * before it reads Redis, and keeps a copy only if no message bumped the stripe since, under the same
 * lock: a message is handled either before the copy goes in (it is refused) or after (the message
 * drops it). Completions of the very entry read ({@code S}/{@code E} of its version) do not count:
 * they say that the copy is the fleet's current entry.</li>
 * <li>Trust: copies are trusted only while the layer runs, Redis answers and the subscription is
 * confirmed. Any change of these (a disconnect, a stall, a resubscription, Redis lost or back)
 * first withdraws the trust, then bumps every stripe and drops every copy of every instance, and
 * only then gives the trust back if the state allows: messages missed in the gap cannot leave a
 * copy behind.</li>
 * </ul>
 */
final class NearCache {

	/** Stripes of the counters: enough for unrelated keys to rarely refuse each other's copies. */
	static final int STRIPES = 1024;

	private final boolean enabled;

	private final Stripe[] stripes = new Stripe[STRIPES];

	/** Written by {@link #reassess} only, read on every hit of a distributed instance. */
	private volatile boolean trusted;

	/** Whether the layer's state allows copies now: running, Redis available, subscription confirmed. */
	private final BooleanSupplier healthy;

	/** Drops every copy of every instance of the layer. */
	private final Runnable dropAll;

	NearCache(boolean enabled, BooleanSupplier healthy, Runnable dropAll) {
		this.enabled = enabled;
		this.healthy = healthy;
		this.dropAll = dropAll;
		for (int i = 0; i < STRIPES; i++) {
			this.stripes[i] = new Stripe();
		}
	}

	boolean enabled() {
		return this.enabled;
	}

	/** Whether copies may be served now. */
	boolean trusted() {
		return this.trusted;
	}

	/**
	 * Something that copies depend on changed: the trust is withdrawn, every stripe bumped and every
	 * copy dropped before the trust comes back, if the state allows it.
	 */
	synchronized void reassess() {
		if (!this.enabled) {
			return;
		}
		this.trusted = false;
		touchAll();
		this.dropAll.run();
		this.trusted = this.healthy.getAsBoolean();
	}

	/** The stripe of {@code entryKey} now, or {@code null} when copies are not trusted. */
	@Nullable Stamp stamp(String entryKey) {
		if (!this.trusted) {
			return null;
		}
		Stripe stripe = stripe(entryKey);
		synchronized (stripe) {
			return new Stamp(entryKey, stripe.count);
		}
	}

	/**
	 * Runs {@code store} (which keeps the copy {@code version} of the entry that {@code stamp} was
	 * taken for) if copies are trusted and no message other than the completion of that very
	 * version reached the entry's stripe since the stamp.
	 * @return whether {@code store} ran
	 */
	boolean keepIfCurrent(Stamp stamp, String version, Runnable store) {
		Stripe stripe = stripe(stamp.entryKey);
		synchronized (stripe) {
			if (!this.trusted || !stripe.unchangedSince(stamp, version)) {
				return false;
			}
			store.run();
			return true;
		}
	}

	/** The entry {@code entryKey} was written by the load {@code token} (a completion message). */
	void completed(String entryKey, String token) {
		Stripe stripe = stripe(entryKey);
		synchronized (stripe) {
			stripe.completed(entryKey, token);
		}
	}

	/** Anything else happened to {@code entryKey}: an eviction, a failed load. */
	void touch(String entryKey) {
		Stripe stripe = stripe(entryKey);
		synchronized (stripe) {
			stripe.touched();
		}
	}

	/** Every entry may have changed (an evictAll, a new generation, messages lost). */
	void touchAll() {
		for (Stripe stripe : this.stripes) {
			synchronized (stripe) {
				stripe.touched();
			}
		}
	}

	/** Messages heard so far for the stripe of {@code entryKey}; for tests. */
	long count(String entryKey) {
		Stripe stripe = stripe(entryKey);
		synchronized (stripe) {
			return stripe.count;
		}
	}

	private Stripe stripe(String entryKey) {
		int hash = entryKey.hashCode();
		return this.stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
	}

	/** The stripe's count when a read of {@code entryKey} began. */
	record Stamp(String entryKey, long count) {
	}

	/** One stripe's counter; its fields are written and read under its own lock. */
	private static final class Stripe {

		/** Messages heard for the stripe's entry keys so far. */
		private long count;

		/**
		 * The last run of messages, all completions of one version of one entry key: from
		 * {@link #runFrom} (the count before the first of them) to {@link #count}. {@code null}
		 * after any other message.
		 */
		private @Nullable String runEntry;

		private @Nullable String runToken;

		private long runFrom;

		void completed(String entryKey, String token) {
			if (!entryKey.equals(this.runEntry) || !token.equals(this.runToken)) {
				this.runEntry = entryKey;
				this.runToken = token;
				this.runFrom = this.count;
			}
			this.count++;
		}

		void touched() {
			this.runEntry = null;
			this.runToken = null;
			this.count++;
		}

		/** Whether every message since {@code stamp} said that {@code version} is its entry's current one. */
		boolean unchangedSince(Stamp stamp, String version) {
			return this.count == stamp.count || (stamp.entryKey.equals(this.runEntry) && version.equals(this.runToken)
					&& this.runFrom <= stamp.count);
		}

	}

}
