package dev.collapse.redis;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedCoordinator.Changes;
import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * The evictions of one instance across the fleet (docs/design.md, Evictions): the instance's
 * generation, which every one of its entry keys holds, the eviction of one key and of all of
 * them, and what this node does when it hears of another node's eviction.
 *
 * <ul>
 * <li>One key: a script deletes its entry and its lease, so the load holding the lease cannot
 * complete, and publishes the eviction; every node detaches its flight of the key.</li>
 * <li>Every key: a script moves the generation and publishes it. Entries and leases of earlier
 * generations are never read again and expire by their ttl; no key is scanned, nothing blocks
 * Redis. Every node drops what it holds of the instance.</li>
 * </ul>
 * The generation is read from Redis before its first use and again after every resubscription
 * (messages may have been lost); between two reads, the messages keep it current.
 */
final class InstanceEvictions {

	private static final Log logger = LogFactory.getLog(InstanceEvictions.class);

	private static final long UNKNOWN = -1;

	/** Evictions of one key in successive generations, at most: evictAlls do not come that fast. */
	private static final int MAX_EVICT_ATTEMPTS = 3;

	private final RedisDistributedLayer layer;

	private final String name;

	private final String instancePrefix;

	private final String generationKey;

	/**
	 * The instance's generation, {@link #UNKNOWN} until read, and again after a resubscription.
	 * Written under this, read by every caller.
	 */
	private volatile long generation = UNKNOWN;

	/**
	 * Generations heard on the channel so far, and resubscriptions so far: a generation read or
	 * returned by a command applies only if neither moved while the command was on the wire,
	 * since the channel's order is the order Redis ran the scripts in. Written under this.
	 */
	private long heardCount;

	private long forgetCount;

	/** The start of every entry key of the current generation; written with {@link #generation}. */
	private volatile String entryPrefix;

	/**
	 * The keys that a caller of this node serves now (leading or waiting), by entry key, so that
	 * an eviction message, which names an entry key, reaches the core with the key itself.
	 */
	private final ConcurrentHashMap<String, Serving> serving = new ConcurrentHashMap<>();

	/**
	 * The keys that this node keeps a copy of (near cache), by entry key, so that a message about
	 * an entry key reaches the copy. Bounded like the local store; a key that this map drops has
	 * its copy dropped with it (not counted as an invalidation: no message dropped it).
	 * {@code null} when the near cache is off.
	 */
	private final @Nullable Cache<String, Link> copies;

	/** Whom to tell; set once by the core before the instance serves any call. */
	private volatile @Nullable Changes changes;

	private final AtomicBoolean failureLogged = new AtomicBoolean();

	InstanceEvictions(RedisDistributedLayer layer, String name, String instancePrefix) {
		this.layer = layer;
		this.name = name;
		this.instancePrefix = instancePrefix;
		this.generationKey = RedisKeys.generation(instancePrefix);
		this.entryPrefix = instancePrefix;
		long nearEntries = layer.settings().nearCacheEntries();
		this.copies = (nearEntries > 0) ? Caffeine.newBuilder()
			.maximumSize(nearEntries)
			.<String, Link>evictionListener((entry, link, cause) -> {
				Changes listener = this.changes;
				if (link != null && listener != null) {
					listener.copyUnreachable(link.key);
				}
			})
			.build() : null;
	}

	String instancePrefix() {
		return this.instancePrefix;
	}

	void listen(Changes changes) {
		this.changes = changes;
	}

	/**
	 * The entry key of {@code key} in the current generation, or {@code null} if the fleet cannot
	 * encode {@code key} faithfully (docs/design.md, Keys).
	 * @throws DistributedUnavailableException if the generation had to be read and Redis did not answer
	 */
	@Nullable String entry(Object key) {
		if (this.generation == UNKNOWN) {
			readGeneration();
		}
		return this.layer.entry(this.name, this.entryPrefix, key);
	}

	/**
	 * {@link #entry} without a command: {@code null} also while the generation is unknown. For a
	 * caller that must not block (the near cache's stamp, taken on the caller's thread).
	 */
	@Nullable String knownEntry(Object key) {
		return (this.generation == UNKNOWN) ? null : this.layer.entry(this.name, this.entryPrefix, key);
	}

	private void readGeneration() {
		long[] before = counts();
		String stored = this.layer.link().callEvenIfDown((commands) -> commands.get(this.generationKey));
		adoptUnlessMoved((stored != null) ? parse(stored) : 0, before);
	}

	private synchronized long[] counts() {
		return new long[] { this.heardCount, this.forgetCount };
	}

	/**
	 * Adopts {@code next}, read or returned by a command sent when the counts were {@code before},
	 * unless a message was heard or messages were lost since: the channel then knows better.
	 */
	private synchronized void adoptUnlessMoved(long next, long[] before) {
		if (this.heardCount == before[0] && this.forgetCount == before[1]) {
			adopt(next);
		}
	}

	/** A generation heard on the channel; true if it changed the generation. */
	private synchronized boolean heardGeneration(long next) {
		this.heardCount++;
		return adopt(next);
	}

	/**
	 * Takes {@code next} as the generation, as an evictAll (this node's, or another's message)
	 * says: even a smaller one, since a Redis that restarted without its data counts from 0 again.
	 * Messages on the one channel arrive in the order Redis published them.
	 * @return whether the generation changed
	 */
	private synchronized boolean adopt(long next) {
		if (next == this.generation) {
			return false;
		}
		// generation 0 keeps the keys of the entries written before evictAll existed
		this.entryPrefix = (next == 0) ? this.instancePrefix : RedisKeys.generationPrefix(this.instancePrefix, next);
		this.generation = next;
		return true;
	}

	/** Messages may have been lost: the generation is read again before its next use. */
	synchronized void forgetGeneration() {
		this.forgetCount++;
		this.generation = UNKNOWN;
	}

	/** The generation now, {@code -1} if unknown; for tests. */
	long generation() {
		return this.generation;
	}

	// --- this node's evictions

	/** Deletes the entry and the lease of {@code key}, and tells every node. */
	boolean evict(Object key) {
		try {
			boolean found = false;
			// the generation this node knows may lag behind another node's evictAll whose message
			// has not arrived: the key is evicted again in the stored generation until they agree,
			// so that the entry readers use once they catch up is gone too
			for (int attempt = 0; attempt < MAX_EVICT_ATTEMPTS; attempt++) {
				String entry = entry(key);
				long used = this.generation;
				if (entry == null) {
					// never shared with the fleet: there is no entry in Redis
					return found;
				}
				found |= evictEntry(entry);
				// a read of this node that began before the script ran keeps no copy of what it read
				this.layer.near().touch(entry);
				String storedText = this.layer.link().callEvenIfDown((commands) -> commands.get(this.generationKey));
				long stored = (storedText != null) ? parse(storedText) : 0;
				boolean unheard;
				synchronized (this) {
					if (stored == used) {
						return found;
					}
					// no message moved it meanwhile: the stored one is newer than what this node knew
					unheard = this.generation == used && adopt(stored);
				}
				if (unheard) {
					// another node's evictAll, whose message has not arrived: act on it now
					heardEvictAll();
				}
			}
			return found;
		}
		catch (DistributedUnavailableException ex) {
			logFailure("an entry could not be evicted in Redis, which does not answer; it expires by its ttl");
			return false;
		}
	}

	/** Runs the Evict script for {@code entry}: its entry and lease go, every node hears X. */
	private boolean evictEntry(String entry) {
		String message = CompletionMessage.evicted(this.layer.leases().nodeId(), entry);
		Long found = this.layer.link().callEvenIfDown((commands) -> commands.eval(RedisScripts.EVICT,
				ScriptOutputType.INTEGER, new String[] { entry, RedisKeys.lock(entry) }, this.layer.keys().channel(),
				message));
		return found != null && found > 0;
	}

	/** Moves the generation and tells every node. */
	boolean evictAll() {
		try {
			String message = CompletionMessage.evictedAll(this.layer.leases().nodeId(), this.instancePrefix);
			long[] before = counts();
			Long next = this.layer.link().callEvenIfDown((commands) -> commands.eval(RedisScripts.EVICT_ALL,
					ScriptOutputType.INTEGER, new String[] { this.generationKey }, this.layer.keys().channel(), message));
			if (next != null) {
				// this node reads the new generation once this returns, even before its own message
				// arrives; a message heard meanwhile (its own, or a later evictAll's) knows better
				adoptUnlessMoved(next, before);
				// no read that began before keeps a copy of an entry of the old generation
				this.layer.near().touchAll();
			}
			return next != null;
		}
		catch (DistributedUnavailableException ex) {
			logFailure("its entries could not be evicted in Redis, which does not answer; they expire by their ttl");
			return false;
		}
	}

	private void logFailure(String what) {
		// once at warn: an application evicting in a loop while Redis is down would flood the log
		if (this.failureLogged.compareAndSet(false, true)) {
			logger.warn("collapse instance '" + this.name + "': " + what + ". Further failures are logged at debug level");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("collapse instance '" + this.name + "': " + what);
		}
	}

	// --- other nodes' evictions, heard on an I/O thread

	/** A message about this instance (a completion, an eviction), this node's own included. */
	void heard(CompletionMessage message) {
		Changes listener = this.changes;
		Signal signal = message.signal();
		String entry = message.entryKey();
		if (signal.kind() == Signal.Kind.SUCCESS || signal.kind() == Signal.Kind.FAILURE) {
			if (this.copies == null) {
				return;
			}
			// a completion: a copy of another version of the entry goes (near cache)
			boolean success = signal.kind() == Signal.Kind.SUCCESS;
			if (success) {
				this.layer.near().completed(entry, signal.token());
			}
			else {
				this.layer.near().touch(entry);
			}
			Link copied = this.copies.getIfPresent(entry);
			if (copied != null && listener != null) {
				listener.copyChanged(copied.key, success ? signal.token() : null);
			}
			return;
		}
		if (signal.kind() == Signal.Kind.EVICTED_ALL) {
			// the channel's order is the order of the fleet's evictAlls. A generation that moves here
			// is acted on even if this node's own evictAll sent it: its reply may have been lost
			// (nothing adopted, no copy dropped) while a read of this node kept a copy of the old
			// generation; when its reply came first, the generation is adopted already and this is a no-op
			String generationText = signal.entry();
			if (generationText != null && heardGeneration(parse(generationText))) {
				heardEvictAll();
			}
			return;
		}
		// this node's own: it acted on it before it published
		boolean own = signal.token().equals(this.layer.leases().nodeId());
		this.layer.near().touch(entry);
		if (own || listener == null) {
			return;
		}
		Serving served = this.serving.get(entry);
		Link copied = (served == null && this.copies != null) ? this.copies.getIfPresent(entry) : null;
		Object key = (served != null) ? served.key : (copied != null) ? copied.key : null;
		if (key != null) {
			listener.evicted(key);
		}
	}

	/** An evictAll heard or found in Redis, not yet acted on here: every entry of the instance may have changed. */
	private void heardEvictAll() {
		this.layer.near().touchAll();
		Changes listener = this.changes;
		if (listener != null) {
			listener.evictedAll();
		}
	}

	// --- the near cache

	/**
	 * Runs {@code store}, which keeps a copy of the entry {@code version} of {@code key} read since
	 * {@code stamp}, if {@link NearCache#keepIfCurrent} lets it; and links the entry key to
	 * {@code key}, so that messages about the entry key reach the copy.
	 * @return whether {@code store} ran
	 */
	boolean keepCopy(NearCache.Stamp stamp, Object key, String version, Runnable store) {
		if (this.copies == null) {
			return false;
		}
		// The order, so that no copy is ever in the store without a link that messages find it by:
		// 1. the link goes in first: a message about the entry heard once the copy is in finds it (one
		// heard before bumped the stripe, and the copy is refused);
		// 2. the copy goes in, or is refused, under the stripe's lock;
		// 3. kept: the link is checked again, and marked as used by a copy in the same atomic step.
		// The links' bound may have evicted it before the copy went in (its listener found nothing
		// to drop then): the copy goes, since no message could reach it;
		// 4. refused: the link goes too, unless a copy went in through it (marked, step 3), so that
		// dead links do not push live ones out of the bound. Another read of the same key whose
		// copy goes in meanwhile, through the same link, finds it gone at its step 3 and drops its
		// copy: a copy lost, never one that no message reaches
		String entry = stamp.entryKey();
		ConcurrentMap<String, Link> links = this.copies.asMap();
		links.compute(entry, (e, link) -> (link != null && link.key.equals(key)) ? link : new Link(key, false));
		boolean kept = this.layer.near().keepIfCurrent(stamp, version, store);
		if (kept) {
			boolean[] linked = new boolean[1];
			links.computeIfPresent(entry, (e, link) -> {
				linked[0] = link.key.equals(key);
				return (linked[0] && !link.used) ? new Link(key, true) : link;
			});
			if (!linked[0]) {
				dropCopy(key);
			}
		}
		else {
			links.computeIfPresent(entry, (e, link) -> (link.used || !link.key.equals(key)) ? link : null);
		}
		return kept;
	}

	/** Drops this node's copy of {@code key}, whatever its version, which no message can reach. */
	private void dropCopy(Object key) {
		Changes listener = this.changes;
		if (listener != null) {
			listener.copyUnreachable(key);
		}
	}

	/** This node may have missed messages: every copy of the instance goes. */
	void dropCopies() {
		if (this.copies != null) {
			this.copies.invalidateAll();
		}
		Changes listener = this.changes;
		if (listener != null) {
			listener.dropCopies();
		}
	}

	/** Redis became available or unavailable. */
	void availabilityChanged() {
		Changes listener = this.changes;
		if (listener != null) {
			listener.availabilityChanged();
		}
	}

	/** A caller of this node serves {@code key}, of entry key {@code entry}, from now until {@link #done}. */
	void serving(String entry, Object key) {
		this.serving.compute(entry, (e, served) -> (served == null) ? new Serving(key) : served.more());
	}

	void done(String entry) {
		this.serving.computeIfPresent(entry, (e, served) -> served.less());
	}

	private static long parse(String text) {
		try {
			return Long.parseLong(text);
		}
		catch (NumberFormatException ex) {
			// not written by collapse: the next evictAll's INCR fails loudly; until then, generation 0
			return 0;
		}
	}

	/** The key of an entry key that this node keeps a copy of, and whether a copy went in through this link. */
	private record Link(Object key, boolean used) {
	}

	/** A key served now, and by how many callers of this node (a second one after a remote eviction). */
	private static final class Serving {

		final Object key;

		/** Written only inside the map's compute, under its bin lock. */
		private int callers = 1;

		Serving(Object key) {
			this.key = key;
		}

		Serving more() {
			this.callers++;
			return this;
		}

		@Nullable Serving less() {
			return (--this.callers == 0) ? null : this;
		}

	}

}
