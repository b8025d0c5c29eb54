package dev.collapse.redis;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * The link to Redis: the two connections of the layer (commands, and the Pub/Sub subscription of
 * the completion channel), whether Redis is used now, the background probe that connects and
 * brings it back, the timeout of every command, and the rate-limited log of fallbacks.
 *
 * <p>Any failure of a command marks Redis unavailable at once and starts the probe; only a probe
 * that connected, subscribed and got its {@code PONG} marks it available again. Probes run on the
 * scheduler of the layer, one at a time.
 */
final class RedisLink {

	/** What the rest of the layer does when the availability of Redis changes. */
	interface Observer {

		/** Redis was available and is not any more. */
		void lost();

		/** A probe got its answer; runs on the scheduler, before calls see Redis as available. */
		void answered(RedisClusterAsyncCommands<String, String> commands);

		/** Redis was unavailable and calls use it again from now on. */
		void recovered();

	}

	private final Supplier<AbstractRedisClient> client;

	private final RedisLayerSettings settings;

	private final ScheduledExecutorService scheduler;

	private final CompletionChannel channel;

	private final Observer observer;

	private final FallbackLog fallbackLog;

	/** A lost command connection means Redis is gone: fall back at once rather than at the next timeout. */
	private final RedisConnectionStateListener commandsState = new RedisConnectionStateListener() {

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			if (!RedisLink.this.stopped) {
				markDown(new java.net.ConnectException("connection to Redis lost"));
			}
		}

	};

	/** Written by the probe (under this) and by {@link #stop} (under this); read by every caller. */
	private volatile @Nullable StatefulConnection<String, String> connection;

	/** Written with {@link #connection}; {@code null} while there is no connection. */
	private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;

	/** The subscription of the completion channel: connected by the probe, checked by itself. */
	private final Subscription subscription;

	/**
	 * Whether calls use Redis now: false from the first failure until a probe succeeds. Set true by
	 * a probe and false by {@link #stop}, both under this; set false by any failing call.
	 */
	private volatile boolean available;

	/** When the current fallback began; written together with {@link #available} going false. */
	private volatile Instant fallbackSince = Instant.now();

	/** The last failure, described without its message; {@code null} until the first one. */
	private volatile @Nullable String lastError;

	/** 1 while a probe is scheduled or runs, so that there is only ever one. */
	private final AtomicInteger probing = new AtomicInteger();

	/** True until {@link #start} and again from {@link #stop} (under this): no probe runs, no loss is reported. */
	private volatile boolean stopped = true;

	RedisLink(Supplier<AbstractRedisClient> client, RedisLayerSettings settings,
			ScheduledExecutorService scheduler, CompletionChannel channel, Observer observer) {
		this.client = client;
		this.settings = settings;
		this.scheduler = scheduler;
		this.channel = channel;
		this.observer = observer;
		this.fallbackLog = new FallbackLog(settings.fallbackLogInterval());
		this.subscription = new Subscription(client, channel, settings, scheduler, this::available);
	}

	// ---- lifecycle

	/**
	 * Runs the first probe and waits for it up to the command timeout; either way calls collapse
	 * locally until a probe succeeds.
	 */
	void start() {
		synchronized (this) {
			this.stopped = false;
			this.subscription.start();
		}
		if (!this.probing.compareAndSet(0, 1)) {
			return;
		}
		CompletableFuture<Void> first = new CompletableFuture<>();
		this.scheduler.execute(() -> {
			probe();
			first.complete(null);
		});
		try {
			first.get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// still connecting: calls are collapsed locally until the probe succeeds
		}
	}

	/** Unsubscribes and disconnects; calls fall back until {@link #start} connects again. */
	void stop() {
		synchronized (this) {
			this.stopped = true;
			this.available = false;
			StatefulConnection<String, String> commandConnection = this.connection;
			this.commands = null;
			this.connection = null;
			this.subscription.stop();
			if (commandConnection != null) {
				commandConnection.close();
			}
		}
	}

	// ---- status

	boolean available() {
		return this.available;
	}

	@Nullable Instant fallbackSince() {
		return this.available ? null : this.fallbackSince;
	}

	@Nullable String lastError() {
		return this.lastError;
	}

	boolean cluster() {
		return this.client.get() instanceof RedisClusterClient;
	}

	Subscription subscription() {
		return this.subscription;
	}

	/** The command connection's commands, {@code null} while not connected. */
	@Nullable RedisClusterAsyncCommands<String, String> commands() {
		return this.commands;
	}

	// ---- commands

	/**
	 * Runs one command and waits for it at most the command timeout.
	 * @return the command's reply, {@code null} where Redis answers nil (a {@code GET} of no key)
	 * @throws DistributedUnavailableException if Redis is marked unavailable, or the command
	 * failed or timed out (which marks it unavailable)
	 */
	<T extends @Nullable Object> T call(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<String, String> current = this.commands;
		if (!this.available || current == null) {
			throw new DistributedUnavailableException("Redis is unavailable", null);
		}
		return await(send(command, current), true);
	}

	/**
	 * {@link #call} even while Redis is marked unavailable, and even when the thread is
	 * interrupted: for a leader's completion, which must run or its lease is held by nobody until
	 * it expires (and its waiters are never woken), and for an eviction. It still waits at most the
	 * command timeout; the interrupt status is kept.
	 */
	<T extends @Nullable Object> T callEvenIfDown(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<String, String> current = this.commands;
		if (current == null) {
			throw new DistributedUnavailableException("Redis is not connected", null);
		}
		return await(send(command, current), false);
	}

	private <T> RedisFuture<T> send(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command,
			RedisClusterAsyncCommands<String, String> current) {
		try {
			return command.apply(current);
		}
		catch (RuntimeException ex) {
			// Lettuce refuses some commands at once (a closed connection, a full queue)
			throw markDown(ex);
		}
	}

	private <T extends @Nullable Object> T await(RedisFuture<T> future, boolean interruptible) {
		long deadline = System.nanoTime() + this.settings.commandTimeout().toNanos();
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return future.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					if (interruptible) {
						throw ex;
					}
					interrupted = true;
				}
			}
		}
		catch (TimeoutException ex) {
			// a cancelled command is not sent when a reconnected connection replays its queue
			future.cancel(false);
			throw markDown(ex);
		}
		catch (ExecutionException ex) {
			if (wrongType(ex.getCause())) {
				// Redis answered: a key of another type, written by something else, spoils that key only
				throw new DistributedUnavailableException("a Redis key of collapse holds another type", ex.getCause());
			}
			throw markDown(ex.getCause());
		}
		catch (InterruptedException ex) {
			future.cancel(false);
			Thread.currentThread().interrupt();
			throw new DistributedUnavailableException("Interrupted while waiting for Redis", ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * The class of {@code failure}, and the error code of a Redis error reply among its causes
	 * ({@code WRONGPASS}, {@code NOPERM}, {@code LOADING}...), which says why; never a message,
	 * which could hold anything.
	 */
	static String describe(Throwable failure) {
		String text = failure.getClass().getSimpleName();
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
			if (cause instanceof RedisCommandExecutionException && cause.getMessage() != null) {
				String code = cause.getMessage().split(" ", 2)[0];
				if (code.matches("[A-Z]{2,20}")) {
					return text + ": " + code;
				}
			}
		}
		return text;
	}

	/** Whether {@code failure} is Redis refusing a command on a key that holds another type. */
	static boolean wrongType(@Nullable Throwable failure) {
		return failure instanceof RedisCommandExecutionException && failure.getMessage() != null
				&& failure.getMessage().contains("WRONGTYPE");
	}

	// ---- availability

	/** Marks Redis unavailable (calls fall back), logs it at most once per interval, starts the probe. */
	DistributedUnavailableException markDown(@Nullable Throwable cause) {
		String error = (cause != null) ? describe(cause) : "unknown";
		this.lastError = error;
		if (this.available) {
			this.fallbackSince = Instant.now();
			this.available = false;
			this.observer.lost();
		}
		this.fallbackLog.fallingBack(error);
		scheduleProbe();
		return new DistributedUnavailableException("Redis is unavailable: " + error, cause);
	}

	private void scheduleProbe() {
		if (this.stopped || !this.probing.compareAndSet(0, 1)) {
			return;
		}
		long mean = this.settings.probeInterval().toNanos();
		// jitter: nodes that lost Redis together do not all probe it together
		long delay = mean / 2 + ThreadLocalRandom.current().nextLong(mean + 1);
		try {
			this.scheduler.schedule(this::probe, delay, TimeUnit.NANOSECONDS);
		}
		catch (RuntimeException ex) {
			this.probing.set(0);
		}
	}

	/** Connects if needed and pings; on success Redis is used again at once. Runs on the scheduler. */
	private void probe() {
		try {
			RedisClusterAsyncCommands<String, String> current;
			synchronized (this) {
				if (this.stopped) {
					this.probing.set(0);
					return;
				}
				if (this.connection == null) {
					connect();
				}
				this.subscription.connect();
				current = this.commands;
			}
			String pong = current.ping().get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
			if (!"PONG".equalsIgnoreCase(pong)) {
				throw new IllegalStateException("unexpected PING reply");
			}
			this.observer.answered(current);
			boolean recovered;
			synchronized (this) {
				// a stop while this probe pinged wins: a stopped link is never available
				this.probing.set(0);
				if (this.stopped) {
					return;
				}
				recovered = !this.available;
				this.available = true;
			}
			if (recovered) {
				this.fallbackLog.recovered(this.lastError != null);
				this.observer.recovered();
			}
		}
		catch (Exception ex) {
			if (this.stopped) {
				// stop closed the connections under this probe: nothing failed
				this.probing.set(0);
				return;
			}
			Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			this.lastError = describe(cause);
			this.available = false;
			this.fallbackLog.fallingBack(this.lastError);
			this.probing.set(0);
			scheduleProbe();
		}
	}

	private void connect() {
		AbstractRedisClient current = this.client.get();
		if (current instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<String, String> connected = cluster.connect(StringCodec.UTF8);
			connected.setTimeout(this.settings.commandTimeout());
			connected.addListener(this.commandsState);
			this.commands = connected.async();
			this.connection = connected;
		}
		else if (current instanceof RedisClient redis) {
			StatefulRedisConnection<String, String> connected = redis.connect(StringCodec.UTF8);
			connected.setTimeout(this.settings.commandTimeout());
			connected.addListener(this.commandsState);
			this.commands = connected.async();
			this.connection = connected;
		}
		else {
			throw new IllegalStateException("unsupported Lettuce client " + current.getClass().getName());
		}
	}

}
