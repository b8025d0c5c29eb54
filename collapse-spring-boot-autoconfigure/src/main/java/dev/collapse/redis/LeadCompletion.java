package dev.collapse.redis;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.ScriptOutputType;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.spi.DistributedCoordinator.Outcome;
import dev.collapse.core.spi.DistributedUnavailableException;
import dev.collapse.redis.LeaseKeeper.RedisLease;
import dev.collapse.redis.EntryReader.Read;

/**
 * What the leader of a key does once its load is over, whichever form ran it (a synchronous load
 * on the caller's thread, an asynchronous one whose stage completed): stop renewing the lease,
 * write the entry, refuse an oversized one, run the completion script, which stores it only if
 * the lease is still the leader's and wakes the waiters of every node, and say how the key was
 * served. See docs/design.md, Redis protocol.
 */
final class LeadCompletion {

	private static final Log logger = LogFactory.getLog(LeadCompletion.class);

	private final RedisDistributedLayer layer;

	private final String name;

	private final CollapseSettings settings;

	private final RedisValueSerializer.Codec codec;

	private final long ttlMillis;

	private final long staleIfErrorMillis;

	/** How long a hand-off entry (ttl 0) stays for the waiters of its load: a lease, their longest wait. */
	private final long handOffMillis;

	private final AtomicBoolean unwritableLogged = new AtomicBoolean();

	private final AtomicBoolean oversizeLogged = new AtomicBoolean();

	LeadCompletion(RedisDistributedLayer layer, String name, CollapseSettings settings,
			RedisValueSerializer.Codec codec) {
		this.layer = layer;
		this.name = name;
		this.settings = settings;
		this.codec = codec;
		this.ttlMillis = settings.ttl().toMillis();
		this.staleIfErrorMillis = settings.staleIfError().toMillis();
		this.handOffMillis = layer.settings().lease().toMillis();
	}

	/**
	 * Completes the load that ran under the lease {@code token} since {@code start} (a
	 * {@link System#nanoTime()}), which gave {@code value} or failed with {@code failure}.
	 * @param previous an expired entry still kept, served instead of a failure (stale-if-error)
	 * @param refresh whether the load is an early refresh, whose failure is never cached: the
	 * entry it would have replaced is still fresh
	 * @throws Throwable {@code failure}, unless an expired entry stands in for it
	 */
	Outcome loaded(String entry, String lock, String token, RedisLease lease, long start, @Nullable Object value,
			@Nullable Throwable failure, @Nullable Read previous, boolean refresh) throws Throwable {
		// false if the load timeout released the lease first, or a renewal found it taken
		boolean mayComplete = lease.finish();
		long loadNanos = System.nanoTime() - start;
		if (failure != null) {
			boolean stale = previous != null && previous.entry() != null && !previous.entry().handOff()
					&& !previous.entry().failed() && this.staleIfErrorMillis > 0
					&& System.currentTimeMillis() - previous.entry().expiresAt() < this.staleIfErrorMillis;
			if (stale || refresh || !this.settings.cachesFailures() || !mayComplete) {
				// waiters contend again, one at a time, and each node sees a failure of its own load;
				// stale-if-error keeps the expired entry, which serves them instead of a failure
				complete(entry, lock, token, "", 0, false);
			}
			else {
				// failure-ttl: the failure is the key's entry for its window, served by the lease
				// script and to the waiters woken now; an eviction deletes it like any entry
				long windowMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(this.settings.failureWindowNanos()));
				RedisEntry failed = RedisEntry.failure(System.currentTimeMillis() + windowMillis,
						TimeUnit.NANOSECONDS.toMicros(loadNanos), token, failure);
				complete(entry, lock, token, failed.encode(), windowMillis, false);
			}
			if (stale) {
				return new Outcome(previous.value(), CallResult.STALE, loadNanos, 0, false, null);
			}
			throw failure;
		}
		String text;
		try {
			text = this.codec.write(value);
		}
		catch (Exception ex) {
			if (this.unwritableLogged.compareAndSet(false, true)) {
				logger.warn("collapse instance '" + this.name + "': a result could not be written for Redis ("
						+ ex.getClass().getName() + "); other nodes load it themselves");
			}
			complete(entry, lock, token, "", 0, false);
			return new Outcome(value, CallResult.LEADER, loadNanos, 0, false, null);
		}
		if (!mayComplete) {
			return new Outcome(value, CallResult.LEADER, loadNanos, 0, true, null);
		}
		long now = System.currentTimeMillis();
		boolean keep = this.ttlMillis > 0 && (value != null || this.settings.cacheNulls());
		long jitterMillis = keep ? TimeUnit.NANOSECONDS.toMillis(this.settings.jitter().sampleNanos(this.settings.ttl()))
				: 0;
		long loadMicros = TimeUnit.NANOSECONDS.toMicros(loadNanos);
		RedisEntry stored = keep ? new RedisEntry(now + this.ttlMillis + jitterMillis, loadMicros, false, token, text)
				: new RedisEntry(now, loadMicros, true, token, text);
		String encoded = stored.encode();
		if (!EntryReader.fits(encoded, this.layer.settings().maxEntryBytes())) {
			// the readers refuse it too: storing it would only make every node read it for nothing
			if (this.oversizeLogged.compareAndSet(false, true)) {
				logger.warn("collapse instance '" + this.name + "': a result is larger than collapse.redis.max-entry-size ("
						+ this.layer.settings().maxEntryBytes() + " bytes) and is not stored in Redis; other nodes load it themselves");
			}
			complete(entry, lock, token, "", 0, false);
			return new Outcome(value, CallResult.LEADER, loadNanos, 0, false, null);
		}
		long physicalMillis = keep ? this.ttlMillis + jitterMillis + this.staleIfErrorMillis : this.handOffMillis;
		Boolean completed = complete(entry, lock, token, encoded, physicalMillis, true);
		long remaining = keep ? TimeUnit.MILLISECONDS.toNanos(stored.expiresAt() - now) : 0;
		boolean lost = Boolean.FALSE.equals(completed);
		return new Outcome(value, CallResult.LEADER, loadNanos, remaining, lost, (keep && !lost) ? token : null);
	}

	/**
	 * Runs the completion script.
	 * @return whether the lease was still this token's, or {@code null} if Redis did not answer
	 * (then the lease expires by itself and the waiters contend again)
	 */
	private @Nullable Boolean complete(String entry, String lock, String token, String stored, long physicalMillis,
			boolean success) {
		String channel = this.layer.keys().channel();
		boolean withEntry = success && stored.length() <= CompletionMessage.ENTRY_LIMIT;
		String message = CompletionMessage.encode(success, token, entry, withEntry);
		try {
			Long done = this.layer.link().callEvenIfDown((commands) -> commands.eval(RedisScripts.COMPLETE,
					ScriptOutputType.INTEGER, new String[] { entry, lock }, token, stored,
					Long.toString(Math.max(1, physicalMillis)), channel, message, withEntry ? "1" : "0"));
			return FencedReply.decode(done) == FencedReply.APPLIED;
		}
		catch (DistributedUnavailableException ex) {
			return null;
		}
	}

}
