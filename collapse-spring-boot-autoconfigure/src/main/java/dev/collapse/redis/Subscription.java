package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The Pub/Sub connection of the completion channel, and its health (docs/design.md, Subscription,
 * availability, resubscription). A socket that a NAT or a load balancer dropped without a reset
 * looks open and simply stays silent, so the subscription is checked: a {@code PING} on it every
 * {@code subscription-check}, and one that gets no answer within that time marks it stalled. A
 * stalled subscription is closed, every waiter re-reads its entry, and a new one is subscribed at
 * once (its confirmation wakes every waiter again).
 *
 * <p>While no confirmed subscription can wake them (stalled, reconnecting), waiters re-read every
 * {@link #RECHECK_MILLIS}, so that a caller gets the value soon after its load ends rather than at
 * the end of the lease. While Redis is unavailable this does nothing: waiters have fallen back, and
 * the link's probe subscribes again.
 *
 * <p>Threads: the check runs on the layer's scheduler, one run at a time; connecting is under this.
 */
final class Subscription {

	private static final Log logger = LogFactory.getLog(Subscription.class);

	/** How often the check runs, and how often waiters re-read while no subscription can wake them. */
	static final long RECHECK_MILLIS = 250;

	private final Supplier<AbstractRedisClient> client;

	private final CompletionChannel channel;

	private final Duration commandTimeout;

	private final long checkNanos;

	private final ScheduledExecutorService scheduler;

	/** Whether calls use Redis now (the link's state). */
	private final BooleanSupplier available;

	/** Written under this by {@link #connect}, {@link #stop} and a stall; {@code null} while not subscribed. */
	private volatile @Nullable StatefulRedisPubSubConnection<String, String> connection;

	/** True until {@link #start} and again from {@link #stop}, both under this. */
	private volatile boolean stopped = true;

	/** From a missed {@code PONG} until a new subscription is confirmed. */
	private volatile boolean stalled;

	private final AtomicLong stalls = new AtomicLong();

	/** {@code PONG}s received: the check works on this connection, for tests. */
	private final AtomicLong pongs = new AtomicLong();

	/** The check; set by {@link #start}, cancelled by {@link #stop}, both under this. */
	private @Nullable ScheduledFuture<?> task;

	/**
	 * Tells the channel of a drop of the current connection only: a stalled connection, closed
	 * while its successor subscribes, must not mark that successor's subscription down.
	 */
	private final RedisConnectionStateListener dropped = new RedisConnectionStateListener() {

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
			if (handler == Subscription.this.connection) {
				Subscription.this.channel.connectionState().onRedisDisconnected(handler);
			}
		}

	};

	/** The {@code PING} not answered yet, and when it was sent: touched by the check only. */
	private @Nullable RedisFuture<String> ping;

	private long pingSent;

	Subscription(Supplier<AbstractRedisClient> client, CompletionChannel channel, RedisLayerSettings settings,
			ScheduledExecutorService scheduler, BooleanSupplier available) {
		this.client = client;
		this.channel = channel;
		this.commandTimeout = settings.commandTimeout();
		this.checkNanos = settings.subscriptionCheck().toNanos();
		this.scheduler = scheduler;
		this.available = available;
	}

	synchronized void start() {
		this.stopped = false;
		if (this.task == null) {
			this.task = this.scheduler.scheduleWithFixedDelay(this::check, RECHECK_MILLIS, RECHECK_MILLIS,
					TimeUnit.MILLISECONDS);
		}
	}

	/** Unsubscribes (closes the connection) and stops checking. */
	synchronized void stop() {
		this.stopped = true;
		if (this.task != null) {
			this.task.cancel(false);
			this.task = null;
		}
		StatefulRedisPubSubConnection<String, String> current = this.connection;
		this.connection = null;
		this.stalled = false;
		if (current != null) {
			current.close();
		}
	}

	/** Hears the drops of the subscription's connections. */
	RedisConnectionStateListener connectionState() {
		return this.dropped;
	}

	/** Whether a subscription is connected (maybe stalled and not known yet, or reconnecting by itself). */
	boolean connected() {
		return this.connection != null;
	}

	/** Whether the last subscription missed its {@code PONG} and no new one is confirmed yet. */
	boolean stalled() {
		return this.stalled;
	}

	long pongs() {
		return this.pongs.get();
	}

	/** Subscriptions found stalled since the layer was built. */
	long stalls() {
		return this.stalls.get();
	}

	/**
	 * Connects and subscribes unless connected, waiting up to the command timeout for the
	 * confirmation. Lettuce subscribes again by itself after a reconnect; the listener hears each
	 * confirmation.
	 */
	synchronized void connect() throws Exception {
		if (this.stopped || this.connection != null) {
			return;
		}
		AbstractRedisClient current = this.client.get();
		StatefulRedisPubSubConnection<String, String> connected = (current instanceof RedisClusterClient cluster)
				? cluster.connectPubSub(StringCodec.UTF8) : ((RedisClient) current).connectPubSub(StringCodec.UTF8);
		connected.addListener(this.channel.listener());
		connected.addListener(this.dropped);
		try {
			connected.async().subscribe(this.channel.name()).get(this.commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (Exception ex) {
			// kept only once subscribed, so that the next attempt subscribes afresh
			connected.closeAsync();
			throw ex;
		}
		this.connection = connected;
		this.stalled = false;
	}

	private void check() {
		// a scheduled task that throws never runs again: the subscription would go unchecked
		try {
			checkOnce();
		}
		catch (VirtualMachineError error) {
			throw error;
		}
		catch (Throwable failure) {
			if (logger.isDebugEnabled()) {
				logger.debug("collapse: the check of the Redis subscription failed (" + failure.getClass().getName() + ")");
			}
		}
	}

	private void checkOnce() {
		if (this.stopped || !this.available.getAsBoolean()) {
			// waiters have fallen back; the link's probe connects and subscribes again
			this.ping = null;
			return;
		}
		if (!this.channel.subscribed()) {
			// no message can wake the waiters now: they re-read their entries instead
			this.channel.wakeAll();
		}
		StatefulRedisPubSubConnection<String, String> current = this.connection;
		if (current == null) {
			resubscribe();
			return;
		}
		long now = System.nanoTime();
		RedisFuture<String> sent = this.ping;
		if (sent != null && !sent.isDone()) {
			if (now - this.pingSent >= this.checkNanos) {
				stall(current);
			}
			return;
		}
		if (sent == null || now - this.pingSent >= this.checkNanos) {
			// Redis answers PING in subscribed mode too; a connection Lettuce is reconnecting queues it
			RedisFuture<String> next = current.async().ping();
			next.thenRun(this.pongs::incrementAndGet);
			this.ping = next;
			this.pingSent = now;
		}
	}

	/** No {@code PONG} in time: messages may be lost on this socket, silently. */
	private void stall(StatefulRedisPubSubConnection<String, String> current) {
		synchronized (this) {
			if (this.connection != current) {
				return;
			}
			this.connection = null;
			// before the stall shows: copies (near cache) are no longer trusted once it does
			this.channel.subscriptionClosed();
			this.stalled = true;
		}
		this.ping = null;
		this.stalls.incrementAndGet();
		logger.warn("collapse: the Redis subscription answered no PING within "
				+ Duration.ofNanos(this.checkNanos) + "; it is closed and subscribed again, waiters read Redis meanwhile");
		this.channel.wakeAll();
		current.closeAsync();
		resubscribe();
	}

	private void resubscribe() {
		try {
			connect();
		}
		catch (Exception ex) {
			// tried again at the next check; waiters read Redis meanwhile
			if (logger.isDebugEnabled()) {
				logger.debug("collapse: subscribing to Redis again failed (" + RedisLink.describe(ex) + ")");
			}
		}
	}

}
