package dev.collapse.redis;

import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The leases of this node: the tokens that tell them apart, the renewal of each lease while its
 * holder loads, and the lease attempts whose reply never came, released once Redis answers again.
 */
final class LeaseKeeper {

	private static final Log logger = LogFactory.getLog(LeaseKeeper.class);

	/** Most abandoned attempts remembered; beyond it their leases simply expire. */
	static final int MAX_ABANDONED = 10_000;

	/** Unique per keeper: the first half of every lease token it hands out. */
	private final String nodeId = UUID.randomUUID().toString().replace("-", "");

	/** Whether a failed renewal was logged at warn level already: once per node, debug afterwards. */
	private final AtomicBoolean renewalFailureLogged = new AtomicBoolean();

	/** Lease attempts so far: the second half of every token. */
	private final AtomicLong attempts = new AtomicLong();

	private final Duration lease;

	private final ScheduledExecutorService scheduler;

	/** The link's current commands, {@code null} while not connected. */
	private final Supplier<@Nullable RedisClusterAsyncCommands<String, String>> commands;

	/** The channel that the completion script of an abandoned attempt publishes on. */
	private final String channel;

	/** Leases being renewed now: added by {@link #renew}, removed by {@link RedisLease#stop} or by {@link #stop}. */
	private final Set<RedisLease> renewing = ConcurrentHashMap.newKeySet();

	/**
	 * Lease attempts whose reply never came (entry, lease, token): Redis may still run them later
	 * and hold a lease nobody loads under. Added by callers that gave up, drained by the probe.
	 */
	private final Queue<String[]> abandoned = new ConcurrentLinkedQueue<>();

	/** The size of {@link #abandoned}, kept apart because a queue's size is not constant-time. */
	private final AtomicInteger abandonedCount = new AtomicInteger();

	LeaseKeeper(Duration lease, ScheduledExecutorService scheduler,
			Supplier<@Nullable RedisClusterAsyncCommands<String, String>> commands, String channel) {
		this.lease = lease;
		this.scheduler = scheduler;
		this.commands = commands;
		this.channel = channel;
	}

	/** This node's id: the first half of its tokens, and the origin of its eviction messages. */
	String nodeId() {
		return this.nodeId;
	}

	/** A token no other attempt of any node has: this node's id and the attempt's number. */
	String newToken() {
		return this.nodeId + ":" + this.attempts.incrementAndGet();
	}

	/**
	 * Starts renewing {@code lock} every third of the lease while its holder loads, until
	 * {@code loadTimeout}: then the lease is released, fenced by its token, and marked lost, so that
	 * another node can load the key at once and the late result is stored nowhere.
	 */
	RedisLease renew(String entry, String lock, String token, Duration loadTimeout) {
		RedisLease held = new RedisLease(this.renewing);
		long period = Math.max(1, this.lease.toMillis() / 3);
		String leaseMillis = Long.toString(this.lease.toMillis());
		held.task = this.scheduler.scheduleAtFixedRate(() -> {
			// a task that throws is never run again: the lease would expire under its loading holder
			try {
				renewOnce(held, lock, token, leaseMillis);
			}
			catch (VirtualMachineError error) {
				throw error;
			}
			catch (Throwable failure) {
				if (this.renewalFailureLogged.compareAndSet(false, true)) {
					logger.warn("collapse: a lease renewal failed (" + failure.getClass().getName()
							+ "); renewals go on. Further ones are logged at debug level");
				}
				else if (logger.isDebugEnabled()) {
					logger.debug("collapse: a lease renewal failed (" + failure.getClass().getName() + ")");
				}
			}
		}, period, period, TimeUnit.MILLISECONDS);
		held.deadline = this.scheduler.schedule(() -> {
			if (!held.expire()) {
				// the load ended first: its holder completes
				return;
			}
			held.stop();
			// the load timeout: the lease goes, fenced by its token, nothing is stored, and the
			// waiters of every node contend again at once instead of waiting for the lease
			release(entry, lock, token);
		}, loadTimeout.toNanos(), TimeUnit.NANOSECONDS);
		// added once its task is set, so that stop() never meets a lease without one
		this.renewing.add(held);
		return held;
	}

	private void renewOnce(RedisLease held, String lock, String token, String leaseMillis) {
		RedisClusterAsyncCommands<String, String> current = this.commands.get();
		if (current == null || held.lost) {
			return;
		}
		RedisFuture<Long> renewed = current.eval(RedisScripts.RENEW, ScriptOutputType.INTEGER, new String[] { lock },
				token, leaseMillis);
		// runs on a Lettuce thread: records the answer, nothing else. A renewal that fails
		// for want of Redis says nothing of the lease: the completion script decides then.
		renewed.whenComplete((result, failure) -> {
			if (failure == null && FencedReply.decode(result) == FencedReply.NOT_HOLDER) {
				held.lost = true;
			}
		});
	}

	/** Stops every renewal: the node stops; its leases expire unless their loads complete first. */
	void stop() {
		for (RedisLease held : this.renewing) {
			held.stop();
		}
	}

	/** Leases being renewed now. */
	int renewing() {
		return this.renewing.size();
	}

	/** Remembers a lease attempt that got no reply, to release it when Redis answers again. */
	void abandon(String entry, String lock, String token) {
		if (this.abandonedCount.incrementAndGet() <= MAX_ABANDONED) {
			this.abandoned.add(new String[] { entry, lock, token });
		}
		else {
			this.abandonedCount.decrementAndGet();
		}
	}

	/**
	 * Releases now a lease this node may hold: the attempt whose caller was interrupted during its
	 * round trip (Redis may have run it, and Redis answers, so no probe would come to release it),
	 * or the lease of a load past its load timeout. Sent without waiting
	 * (the caller is interrupted), after the attempt on the same connection; an attempt that can
	 * not be sent now is remembered as {@link #abandon abandoned}.
	 */
	void release(String entry, String lock, String token) {
		RedisClusterAsyncCommands<String, String> current = this.commands.get();
		if (current != null) {
			try {
				sendRelease(current, entry, lock, token);
				return;
			}
			catch (RuntimeException ex) {
				// refused at once (closed connection, full queue): the probe releases it later
			}
		}
		abandon(entry, lock, token);
	}

	/** Releases every abandoned attempt that did take its lease; the others are no-ops. */
	void releaseAbandoned(RedisClusterAsyncCommands<String, String> current) {
		String[] attempt;
		while ((attempt = this.abandoned.poll()) != null) {
			this.abandonedCount.decrementAndGet();
			sendRelease(current, attempt[0], attempt[1], attempt[2]);
		}
	}

	/** The completion script with no entry, fenced by {@code token}: a no-op unless that attempt holds the lease. */
	private void sendRelease(RedisClusterAsyncCommands<String, String> current, String entry, String lock,
			String token) {
		// the failure message makes the waiters of that phantom lease contend at once
		current.eval(RedisScripts.COMPLETE, ScriptOutputType.INTEGER, new String[] { entry, lock }, token, "", "1",
				this.channel, CompletionMessage.encode(false, token, entry, false), "0");
	}

	/** A lease held by a loading leader of this node. */
	static final class RedisLease {

		private final Set<RedisLease> renewing;

		/** Set by a renewal that found the lease no longer this token's; read by the leader after its load. */
		volatile boolean lost;

		/** The renewal; written once by {@link LeaseKeeper#renew} before the lease is handed out. */
		private ScheduledFuture<?> task;

		/** The load timeout's release; written once by {@link LeaseKeeper#renew} before the lease is handed out. */
		private ScheduledFuture<?> deadline;

		private RedisLease(Set<RedisLease> renewing) {
			this.renewing = renewing;
		}

		/** Whether the load's end or its load timeout came first; set by compare-and-set only. */
		private final AtomicInteger end = new AtomicInteger();

		/**
		 * The load ended: stops renewing, and says whether its holder may complete, which it may
		 * unless the load timeout came first (it released the lease) or a renewal found it lost.
		 */
		boolean finish() {
			stop();
			return this.end.compareAndSet(0, 1) && !this.lost;
		}

		/** The load timeout came: true, and the lease is lost, unless the load ended first. */
		private boolean expire() {
			if (!this.end.compareAndSet(0, 2)) {
				return false;
			}
			this.lost = true;
			return true;
		}

		/** Stops renewing; the holder completes or the lease expires. */
		void stop() {
			this.task.cancel(false);
			this.deadline.cancel(false);
			this.renewing.remove(this);
		}

	}

}
