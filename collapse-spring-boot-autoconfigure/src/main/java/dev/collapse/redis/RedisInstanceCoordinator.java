package dev.collapse.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.ScriptOutputType;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.AsyncLoader;
import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseInterruptedException;
import dev.collapse.core.CollapseRemoteLoadException;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Loader;
import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedUnavailableException;
import dev.collapse.redis.EntryReader.Read;
import dev.collapse.redis.LeaseKeeper.RedisLease;

/**
 * The Redis protocol (docs/design.md, Redis protocol) for one instance. Only the node's local leader of a key calls it, so
 * each key has at most one caller here per JVM. {@link #serve} runs the flow on its caller's
 * thread; {@link #serveAsync} runs the same steps, defined here once, as an {@link AsyncFleetCall}
 * that holds no thread while it waits; both end a load with the {@link LeadCompletion}.
 */
final class RedisInstanceCoordinator implements DistributedCoordinator {

	/** Extra wait beyond a lease's remaining time before a follower re-reads and contends. */
	private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final RedisDistributedLayer layer;

	private final String name;

	private final CollapseSettings settings;

	private final InstanceEvictions evictions;

	private final String leaseMillis;

	private final LeadCompletion completion;

	private final EntryReader reads;

	RedisInstanceCoordinator(RedisDistributedLayer layer, String name, CollapseSettings settings,
			RedisValueSerializer.Codec codec, InstanceEvictions evictions) {
		this.layer = layer;
		this.name = name;
		this.settings = settings;
		this.reads = new EntryReader(layer, name, codec);
		this.evictions = evictions;
		this.leaseMillis = Long.toString(layer.settings().lease().toMillis());
		this.completion = new LeadCompletion(layer, name, settings, codec);
	}

	@Override
	public boolean available() {
		return this.layer.available();
	}

	@Override
	public Executor executor() {
		return this.layer.executor();
	}

	@Override
	public void listen(Changes changes) {
		this.evictions.listen(changes);
	}

	InstanceEvictions evictions() {
		return this.evictions;
	}

	// ---- the near cache (docs/redis.md, Near cache)

	@Override
	public boolean copiesTrusted() {
		return this.layer.near().trusted();
	}

	@Override
	public @Nullable Object copyStamp(Object key, boolean mayBlock) {
		NearCache near = this.layer.near();
		if (!near.trusted()) {
			return null;
		}
		try {
			// the generation is read at most once, and never on a thread that must not block
			String entry = mayBlock ? this.evictions.entry(key) : this.evictions.knownEntry(key);
			return (entry != null) ? near.stamp(entry) : null;
		}
		catch (DistributedUnavailableException ex) {
			return null;
		}
	}

	@Override
	public boolean keepCopy(Object key, Object stamp, String version, Runnable store) {
		return this.evictions.keepCopy((NearCache.Stamp) stamp, key, version, store);
	}

	@Override
	public Outcome serve(Object key, Loader load, long waitNanos) throws Throwable {
		try {
			return serveInFleet(key, load, waitNanos);
		}
		catch (DistributedUnavailableException ex) {
			if (ex.getCause() instanceof InterruptedException interrupted) {
				// the caller was interrupted, Redis is fine: no fallback load on an interrupted thread
				throw new CollapseInterruptedException(this.name, interrupted);
			}
			throw ex;
		}
	}

	/** The flow of {@link #serve} as continuations that hold no thread while they wait: see {@link AsyncFleetCall}. */
	@Override
	public CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos) {
		return new AsyncFleetCall(this, this.layer, key, load, waitNanos).start();
	}

	private Outcome serveInFleet(Object key, Loader load, long waitNanos) throws Throwable {
		String entry = this.evictions.entry(key);
		if (entry == null) {
			throw new DistributedUnavailableException("a key that the fleet cannot encode", null);
		}
		this.evictions.serving(entry, key);
		try {
			return serveInFleet(entry, load, waitNanos);
		}
		finally {
			this.evictions.done(entry);
		}
	}

	private Outcome serveInFleet(String entry, Loader load, long waitNanos) throws Throwable {
		long deadline = System.nanoTime() + waitNanos;
		String lock = RedisKeys.lock(entry);
		Read current = readEntry(entry);
		if (fresh(current)) {
			return hit(current, CallResult.HIT);
		}
		// an expired entry still kept (stale-if-error) can stand in for a failed load
		Read previous = (current != EntryReader.CORRUPT) ? current : null;
		boolean ignoreEntry = current == EntryReader.CORRUPT;
		boolean waited = false;
		while (true) {
			String token = this.layer.leases().newToken();
			LeaseReply reply = acquire(entry, lock, token, ignoreEntry);
			if (reply.kind() == LeaseReply.Kind.FRESH_ENTRY) {
				Read stored = given(reply);
				if (stored != null) {
					return hit(stored, waited ? CallResult.REMOTE : CallResult.HIT);
				}
				ignoreEntry = true;
				continue;
			}
			if (reply.kind() == LeaseReply.Kind.TAKEN) {
				return lead(entry, lock, token, load, previous, false);
			}
			String holder = reply.holder();
			Signal signal = null;
			CompletableFuture<Signal> waiter = this.layer.channel().register(entry);
			try {
				// the completion may have been published before the waiter existed
				Read done = readFor(entry, holder);
				if (done != null) {
					return hit(done, CallResult.REMOTE);
				}
				long wait = waitNanos(reply, deadline);
				if (wait > 0) {
					signal = waiter.get(wait, TimeUnit.NANOSECONDS);
				}
			}
			catch (TimeoutException ex) {
				// the lease ran out (its holder may have crashed): read again, then contend
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new CollapseInterruptedException(this.name, ex);
			}
			finally {
				this.layer.channel().unregister(entry, waiter);
			}
			waited = true;
			Read done = woken(entry, holder, signal);
			if (done != null) {
				return hit(done, CallResult.REMOTE);
			}
			if (System.nanoTime() - deadline >= 0) {
				throw timeout();
			}
			if (contendsLater(signal)) {
				try {
					TimeUnit.MILLISECONDS.sleep(pauseMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new CollapseInterruptedException(this.name, ex);
				}
			}
		}
	}

	// ---- the steps of both forms (the asynchronous one is AsyncFleetCall)

	/** Whether {@code read} is an entry to serve as a hit at once. */
	static boolean fresh(@Nullable Read read) {
		return read != EntryReader.CORRUPT && read != null && read.entry().fresh(System.currentTimeMillis());
	}

	/** The entry that a {@link LeaseReply.Kind#FRESH_ENTRY} reply gave, {@code null} if it cannot be read. */
	@Nullable Read given(LeaseReply reply) {
		Read stored = this.reads.read(reply.entry());
		return (stored != EntryReader.CORRUPT) ? stored : null;
	}

	/** How long to wait for the holder of the lease that {@code reply} names, at most until {@code deadline}. */
	static long waitNanos(LeaseReply reply, long deadline) {
		long remainingLease = TimeUnit.MILLISECONDS.toNanos(reply.remainingMillis());
		return Math.min(Math.max(0, remainingLease) + GRACE_NANOS, deadline - System.nanoTime());
	}

	/**
	 * The entry that serves a caller woken (by {@code signal}, or {@code null} when its wait ran
	 * out) from its wait for the lease {@code holder}, or {@code null}: then it contends again.
	 */
	@Nullable Read woken(String entry, String holder, @Nullable Signal signal) {
		// a small entry comes with the message: no read of its own, if it is the entry of the load
		// waited for; a late message of an older load (evicted since) is never served from
		Read done = (signal != null && signal.entry() != null && signal.token().equals(holder))
				? servingWaiterOf(this.reads.read(signal.entry()), holder) : null;
		return (done != null) ? done : readFor(entry, holder);
	}

	/** Whether a woken caller pauses before it contends again: the holder failed or vanished. */
	static boolean contendsLater(@Nullable Signal signal) {
		return signal == null || signal.kind() == Signal.Kind.FAILURE;
	}

	/** A jittered pause before contending again, so that not all nodes contend at once. */
	static long pauseMillis() {
		return 5 + ThreadLocalRandom.current().nextLong(46);
	}

	CollapseTimeoutException timeout() {
		return new CollapseTimeoutException(this.name, this.settings.waitTimeout());
	}

	@Override
	public @Nullable Outcome refresh(Object key, @Nullable String version, Loader load) throws Throwable {
		if (!this.layer.available()) {
			return null;
		}
		String token = this.layer.leases().newToken();
		String entry;
		LeaseReply reply;
		try {
			entry = this.evictions.entry(key);
			if (entry == null) {
				return null;
			}
			// the refresh replaces the entry it read, and only that one: a newer entry, written by
			// another node since the refresh was queued, answers as fresh and nothing is loaded
			reply = acquire(entry, RedisKeys.lock(entry), token, (version != null) ? "v" + version : "1");
		}
		catch (DistributedUnavailableException ex) {
			return null;
		}
		return (reply.kind() == LeaseReply.Kind.TAKEN) ? lead(entry, RedisKeys.lock(entry), token, load, null, true) : null;
	}

	@Override
	public boolean evict(Object key) {
		return this.evictions.evict(key);
	}

	@Override
	public boolean evictAll() {
		return this.evictions.evictAll();
	}

	/** Asks for the lease of {@code entry}, given back by a fresh entry unless {@code ignoreEntry}. */
	LeaseReply acquire(String entry, String lock, String token, boolean ignoreEntry) {
		return acquire(entry, lock, token, ignoreEntry ? "1" : "0");
	}

	/** @param entryMode what the lease script makes of a stored entry; see {@link RedisScripts#ACQUIRE} */
	private LeaseReply acquire(String entry, String lock, String token, String entryMode) {
		String now = Long.toString(System.currentTimeMillis());
		List<Object> reply;
		try {
			reply = this.layer.link().call((commands) -> commands.eval(RedisScripts.ACQUIRE, ScriptOutputType.MULTI,
					new String[] { entry, lock }, token, this.leaseMillis, now, entryMode));
		}
		catch (DistributedUnavailableException ex) {
			if (ex.getCause() instanceof InterruptedException) {
				// Redis answers but this caller stopped listening: the script may have run, release it now
				this.layer.leases().release(entry, lock, token);
			}
			else {
				// it may still run in Redis later and take a lease that nobody loads under
				this.layer.leases().abandon(entry, lock, token);
			}
			throw ex;
		}
		return LeaseReply.decode(reply);
	}

	/**
	 * Loads while holding the lease {@code token}, then completes: the script stores the result
	 * only if the lease is still this token's, deletes it and wakes the waiters of every node.
	 */
	private Outcome lead(String entry, String lock, String token, Loader load, @Nullable Read previous,
			boolean refresh) throws Throwable {
		RedisLease lease = renew(entry, lock, token);
		long start = System.nanoTime();
		Object value = null;
		Throwable failure = null;
		try {
			value = load.load();
		}
		catch (Throwable ex) {
			failure = ex;
		}
		return this.completion.loaded(entry, lock, token, lease, start, value, failure, previous, refresh);
	}

	/** Renews the lease {@code token} while its load runs, up to the load timeout. */
	RedisLease renew(String entry, String lock, String token) {
		return this.layer.leases().renew(entry, lock, token, this.settings.loadTimeout());
	}

	LeadCompletion completion() {
		return this.completion;
	}

	/**
	 * How {@code read} serves a caller, as {@code served}.
	 * @throws CollapseRemoteLoadException if it is a cached failure (failure-ttl)
	 */
	Outcome hit(Read read, CallResult served) {
		if (read.entry().failed()) {
			throw new CollapseRemoteLoadException(this.name, read.entry().failureType(), read.entry().failureMessage());
		}
		long remaining = TimeUnit.MILLISECONDS.toNanos(read.entry().expiresAt() - System.currentTimeMillis());
		return new Outcome(read.value(), served, TimeUnit.MICROSECONDS.toNanos(read.entry().loadMicros()),
				read.entry().handOff() ? 0 : Math.max(0, remaining), false, read.entry().token());
	}

	/** The entry if it may serve a caller that waited for the lease {@code holder}, else {@code null}. */
	@Nullable Read readFor(String entry, String holder) {
		return servingWaiterOf(readEntry(entry), holder);
	}

	private static @Nullable Read servingWaiterOf(@Nullable Read read, String holder) {
		return (read != null && read != EntryReader.CORRUPT && read.entry().servesWaiterOf(holder, System.currentTimeMillis())) ? read
				: null;
	}

	/** Reads {@code entry} now; {@link EntryReader#CORRUPT} if it cannot be read. */
	@Nullable Read readEntry(String entry) {
		return this.reads.readEntry(entry);
	}


}
