package dev.collapse.redis;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.collapse.core.CollapseSettings;
import dev.collapse.core.DistributedCoordinator;
import dev.collapse.core.DistributedLayer;
import dev.collapse.core.DistributedStatus;
import dev.collapse.core.DistributedUnavailableException;

/**
 * Fleet-wide collapsing through Redis, for one application: two Lettuce connections of the
 * application's client (commands, and the one Pub/Sub subscription that carries every
 * completion), the waiters of the keys that another node loads, the availability of Redis with
 * its background probe, and the lease renewals.
 *
 * <p>Threads: Lettuce's I/O threads only complete futures here (a waiter's signal, a renewal's
 * result); no load and no caller code ever runs on them. Renewals and probes run on a small
 * scheduler of this layer; asynchronous callers' flows on a pool of this layer.
 */
public final class RedisDistributedLayer implements DistributedLayer, DistributedStatus, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisDistributedLayer.class);

	private final Supplier<AbstractRedisClient> client;

	private final RedisKeys keys;

	private final RedisValueSerializer serializer;

	private final Settings settings;

	/** Unique per layer: the first half of every lease token it writes. */
	private final String nodeId = UUID.randomUUID().toString().replace("-", "");

	private final AtomicLong attempts = new AtomicLong();

	/** Signal of each entry key that a caller of this node waits for, by entry key. */
	private final Map<String, CompletableFuture<Signal>> waiters = new ConcurrentHashMap<>();

	private final ScheduledThreadPoolExecutor scheduler;

	private final ExecutorService executor;

	private final Listener listener = new Listener();

	/** A lost command connection means Redis is gone: fall back at once rather than at the next timeout. */
	private final RedisConnectionStateListener commandsState = new RedisConnectionStateListener() {

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			if (!RedisDistributedLayer.this.closed) {
				markDown(new java.net.ConnectException("connection to Redis lost"));
			}
		}

	};

	/** Messages published while the subscription is down are lost; its confirmation wakes every waiter. */
	private final RedisConnectionStateListener pubsubState = new RedisConnectionStateListener() {

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			RedisDistributedLayer.this.subscribed = false;
		}

	};

	/** Written by the probe only (under this), read by every caller. */
	private volatile StatefulConnection<String, String> connection;

	private volatile RedisClusterAsyncCommands<String, String> commands;

	private volatile StatefulRedisPubSubConnection<String, String> pubsub;

	/** Whether the subscription is confirmed now; reset when its connection drops. */
	private volatile boolean subscribed;

	/** Whether calls use Redis now; false from the first failure until a probe succeeds. */
	private volatile boolean available;

	private volatile Instant fallbackSince = Instant.now();

	private volatile String lastError;

	/** Set while a probe is scheduled or runs, so that there is only ever one. */
	private final AtomicInteger probing = new AtomicInteger();

	private final AtomicLong lastFallbackLog = new AtomicLong(Long.MIN_VALUE);

	private final AtomicLong suppressedFallbacks = new AtomicLong();

	private volatile boolean closed;

	/**
	 * Lease attempts whose reply never came (entry, lease, token): Redis may still run them later
	 * and hold a lease nobody loads under. Released, fenced by their token, once Redis answers.
	 */
	private final java.util.concurrent.ConcurrentLinkedQueue<String[]> abandoned = new java.util.concurrent.ConcurrentLinkedQueue<>();

	private final AtomicInteger abandonedCount = new AtomicInteger();

	/** Most abandoned attempts remembered; beyond it their leases simply expire. */
	private static final int MAX_ABANDONED = 10_000;

	/**
	 * @param client the application's Lettuce client (of Boot's connection factory), asked for when
	 * the layer connects
	 * @param serializer writes and reads values
	 * @param keyPrefix prefix of every key and of the channel
	 * @param keyMapper writes keys of other types than the usual ones as JSON
	 */
	public RedisDistributedLayer(Supplier<AbstractRedisClient> client, RedisValueSerializer serializer, String keyPrefix,
			tools.jackson.databind.json.JsonMapper keyMapper, Settings settings) {
		this.client = client;
		this.serializer = serializer;
		this.keys = new RedisKeys(keyPrefix, keyMapper);
		this.settings = settings;
		this.scheduler = new ScheduledThreadPoolExecutor(2, daemon("collapse-redis-scheduler"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.executor = Executors.newCachedThreadPool(daemon("collapse-redis-"));
	}

	/**
	 * Timings of the layer.
	 *
	 * @param lease lease of a load, renewed every third of it
	 * @param commandTimeout longest wait for one Redis command before calls fall back
	 * @param probeInterval mean pause between two probes while Redis does not answer
	 * @param fallbackLogInterval shortest time between two logs of a fallback
	 * @param maxEntryBytes largest entry, in UTF-8 bytes, that is written to or read from Redis
	 */
	public record Settings(Duration lease, Duration commandTimeout, Duration probeInterval,
			Duration fallbackLogInterval, long maxEntryBytes) {

		/** The default largest entry: 1 MB. */
		public static final long DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

		public Settings(Duration lease, Duration commandTimeout, Duration probeInterval, Duration fallbackLogInterval) {
			this(lease, commandTimeout, probeInterval, fallbackLogInterval, DEFAULT_MAX_ENTRY_BYTES);
		}

		public Settings {
			if (maxEntryBytes < 64) {
				throw new IllegalArgumentException("collapse.redis.max-entry-size must be at least 64B, was " + maxEntryBytes + "B");
			}
			if (lease.toMillis() < 3) {
				throw new IllegalArgumentException("collapse.redis.lease must be at least 3ms, was " + lease);
			}
			if (commandTimeout.isNegative() || commandTimeout.isZero()) {
				throw new IllegalArgumentException("collapse.redis.command-timeout must be positive, was " + commandTimeout);
			}
			if (probeInterval.isNegative() || probeInterval.isZero()) {
				throw new IllegalArgumentException("collapse.redis.probe-interval must be positive, was " + probeInterval);
			}
		}

	}

	private static java.util.concurrent.ThreadFactory daemon(String name) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, name.endsWith("-") ? name + count.incrementAndGet() : name);
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Connects in the background and waits up to the command timeout for Redis to answer; the
	 * application starts either way, collapsing locally until Redis answers.
	 */
	public void start() {
		CompletableFuture<Void> first = new CompletableFuture<>();
		this.probing.set(1);
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

	@Override
	public DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType) {
		RedisValueSerializer.Codec codec = this.serializer.codec(valueType);
		return new RedisInstanceCoordinator(this, name, settings, codec, this.keys.instancePrefix(name));
	}

	RedisKeys keys() {
		return this.keys;
	}

	Settings settings() {
		return this.settings;
	}

	ExecutorService executor() {
		return this.executor;
	}

	String newToken() {
		return this.nodeId + ":" + this.attempts.incrementAndGet();
	}

	// ---- status

	@Override
	public boolean available() {
		return this.available;
	}

	@Override
	public Instant fallbackSince() {
		return this.available ? null : this.fallbackSince;
	}

	@Override
	public String detail() {
		AbstractRedisClient current = this.client.get();
		String mode = (current instanceof RedisClusterClient) ? "Redis Cluster" : "Redis";
		String error = this.lastError;
		return mode + (this.subscribed ? ", subscribed" : ", not subscribed")
				+ ((error != null) ? ", last error: " + error : "");
	}

	/** Keys that callers of this node wait for now, for tests and the endpoint. */
	public int waiting() {
		return this.waiters.size();
	}

	/** Whether the completion subscription is confirmed now. */
	public boolean subscribed() {
		return this.subscribed;
	}

	// ---- commands

	/**
	 * Runs one command and waits for it at most the command timeout.
	 * @throws DistributedUnavailableException if Redis is marked unavailable, or the command
	 * failed or timed out (which marks it unavailable)
	 */
	<T> T call(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<String, String> current = this.commands;
		if (!this.available || current == null) {
			throw new DistributedUnavailableException("Redis is unavailable", null);
		}
		return await(send(command, current));
	}

	/** {@link #call} even while Redis is marked unavailable: for a leader's completion, and probes. */
	<T> T callEvenIfDown(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command) {
		RedisClusterAsyncCommands<String, String> current = this.commands;
		if (current == null) {
			throw new DistributedUnavailableException("Redis is not connected", null);
		}
		return await(send(command, current));
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

	private <T> T await(RedisFuture<T> future) {
		try {
			return future.get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
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

	/** Releases every abandoned attempt that did take its lease; the others are no-ops. */
	private void releaseAbandoned(RedisClusterAsyncCommands<String, String> current) {
		String[] attempt;
		while ((attempt = this.abandoned.poll()) != null) {
			this.abandonedCount.decrementAndGet();
			// the failure message makes the waiters of that phantom lease contend at once
			current.eval(RedisScripts.COMPLETE, ScriptOutputType.INTEGER, new String[] { attempt[0], attempt[1] },
					attempt[2], "", "1", this.keys.channel(), message(false, attempt[2], attempt[0], false), "0");
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
			if (cause instanceof io.lettuce.core.RedisCommandExecutionException && cause.getMessage() != null) {
				String code = cause.getMessage().split(" ", 2)[0];
				if (code.matches("[A-Z]{2,20}")) {
					return text + ": " + code;
				}
			}
		}
		return text;
	}

	/** Whether {@code failure} is Redis refusing a command on a key that holds another type. */
	static boolean wrongType(Throwable failure) {
		return failure instanceof io.lettuce.core.RedisCommandExecutionException && failure.getMessage() != null
				&& failure.getMessage().contains("WRONGTYPE");
	}

	// ---- availability

	/** Marks Redis unavailable (calls fall back), logs it at most once per interval, starts the probe. */
	DistributedUnavailableException markDown(Throwable cause) {
		String error = (cause != null) ? describe(cause) : "unknown";
		this.lastError = error;
		if (this.available) {
			this.fallbackSince = Instant.now();
			this.available = false;
			// waiters re-read, fail at once and fall back instead of waiting out their lease
			wakeAll();
		}
		logFallback(error);
		scheduleProbe();
		return new DistributedUnavailableException("Redis is unavailable: " + error, cause);
	}

	private void logFallback(String error) {
		long now = System.nanoTime();
		long last = this.lastFallbackLog.get();
		if (last != Long.MIN_VALUE && now - last < this.settings.fallbackLogInterval().toNanos()) {
			this.suppressedFallbacks.incrementAndGet();
			return;
		}
		if (this.lastFallbackLog.compareAndSet(last, now)) {
			long suppressed = this.suppressedFallbacks.getAndSet(0);
			logger.warn("collapse: Redis does not answer (" + error + "); calls are collapsed in each JVM only until it does"
					+ ((suppressed > 0) ? " (" + suppressed + " more failures since the last report)" : ""));
		}
	}

	private void scheduleProbe() {
		if (this.closed || !this.probing.compareAndSet(0, 1)) {
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
			synchronized (this) {
				if (this.closed) {
					return;
				}
				if (this.connection == null) {
					connect();
				}
				if (this.pubsub == null) {
					connectPubSub();
				}
			}
			String pong = this.commands.ping().get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
			if (!"PONG".equalsIgnoreCase(pong)) {
				throw new IllegalStateException("unexpected PING reply");
			}
			this.probing.set(0);
			releaseAbandoned(this.commands);
			if (!this.available) {
				boolean wasDown = this.lastError != null;
				this.available = true;
				if (wasDown) {
					logger.info("collapse: Redis answers again; calls are collapsed across the fleet");
				}
				wakeAll();
			}
		}
		catch (Exception ex) {
			Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			this.lastError = describe(cause);
			this.available = false;
			logFallback(this.lastError);
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

	private void connectPubSub() throws Exception {
		AbstractRedisClient current = this.client.get();
		StatefulRedisPubSubConnection<String, String> connected = (current instanceof RedisClusterClient cluster)
				? cluster.connectPubSub(StringCodec.UTF8) : ((RedisClient) current).connectPubSub(StringCodec.UTF8);
		connected.addListener((io.lettuce.core.pubsub.RedisPubSubListener<String, String>) this.listener);
		connected.addListener(this.pubsubState);
		try {
			// Lettuce subscribes again by itself after a reconnect; the listener hears each confirmation
			connected.async().subscribe(this.keys.channel()).get(this.settings.commandTimeout().toNanos(),
					TimeUnit.NANOSECONDS);
		}
		catch (Exception ex) {
			// kept only once subscribed, so that the next probe subscribes afresh
			connected.closeAsync();
			throw ex;
		}
		this.pubsub = connected;
	}

	// ---- waiters

	/** Registers a waiter for {@code entry}; the caller re-reads the entry after this. */
	CompletableFuture<Signal> register(String entry) {
		return this.waiters.computeIfAbsent(entry, (key) -> new CompletableFuture<>());
	}

	void unregister(String entry, CompletableFuture<Signal> waiter) {
		this.waiters.remove(entry, waiter);
	}

	/** Every waiter re-reads its entry: messages may have been lost, or Redis went away. */
	private void wakeAll() {
		for (String entry : this.waiters.keySet()) {
			CompletableFuture<Signal> waiter = this.waiters.remove(entry);
			if (waiter != null) {
				waiter.complete(Signal.RECHECK);
			}
		}
	}

	/** Pauses a follower before it contends again, so that nodes do not all try at once. */
	void pause() throws InterruptedException {
		TimeUnit.MILLISECONDS.sleep(5 + ThreadLocalRandom.current().nextLong(46));
	}

	/** Starts renewing {@code lock} every third of the lease while its holder loads. */
	RedisLease renew(String lock, String token) {
		RedisLease lease = new RedisLease();
		long period = Math.max(1, this.settings.lease().toMillis() / 3);
		String leaseMillis = Long.toString(this.settings.lease().toMillis());
		ScheduledFuture<?> task = this.scheduler.scheduleAtFixedRate(() -> {
			RedisClusterAsyncCommands<String, String> current = this.commands;
			if (current == null || lease.lost) {
				return;
			}
			RedisFuture<Long> renewed = current.eval(RedisScripts.RENEW, ScriptOutputType.INTEGER, new String[] { lock },
					token, leaseMillis);
			// runs on a Lettuce thread: records the answer, nothing else. A renewal that fails
			// for want of Redis says nothing of the lease: the completion script decides then.
			renewed.whenComplete((result, failure) -> {
				if (failure == null && result != null && result == 0L) {
					lease.lost = true;
				}
			});
		}, period, period, TimeUnit.MILLISECONDS);
		lease.task = task;
		return lease;
	}

	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.scheduler.shutdownNow();
		this.executor.shutdownNow();
		wakeAll();
		synchronized (this) {
			if (this.pubsub != null) {
				this.pubsub.close();
			}
			if (this.connection != null) {
				this.connection.close();
			}
		}
	}

	/** A lease held by a loading leader of this node. */
	static final class RedisLease {

		/** Set by a renewal that found the lease no longer this token's; read by the leader after its load. */
		volatile boolean lost;

		ScheduledFuture<?> task;

		void stop() {
			this.task.cancel(false);
		}

	}

	/**
	 * What woke a waiter. {@code entry} is the stored entry when the completion message carried it
	 * (a small one, see {@link #MESSAGE_ENTRY_LIMIT}), else {@code null}: then the waiter reads it.
	 */
	record Signal(Kind kind, String token, String entry) {

		static final Signal RECHECK = new Signal(Kind.RECHECK, "", null);

		enum Kind {

			/** The load of {@code token} stored its result. */
			SUCCESS,

			/** The load of {@code token} failed; nothing was stored. */
			FAILURE,

			/** Messages may have been lost (resubscription), or Redis went away: read again. */
			RECHECK

		}

	}

	/**
	 * Largest entry, in chars, that the completion message carries: a waiting node then needs no
	 * read of its own. Every node receives every message, so large entries are only named.
	 */
	static final int MESSAGE_ENTRY_LIMIT = 1024;

	/**
	 * The completion message: {@code S<token>\n<entry key>} or {@code F<token>\n<entry key>}; or,
	 * when the completion script appends the stored entry, {@code E<token>\n<length of the entry
	 * key>\n<entry key>} followed by the entry.
	 */
	static String message(boolean success, String token, String entry, boolean withEntry) {
		if (withEntry) {
			return "E" + token + "\n" + entry.length() + "\n" + entry;
		}
		return (success ? "S" : "F") + token + "\n" + entry;
	}

	/** Hears the subscription; runs on Lettuce threads, so only completes futures. */
	private final class Listener extends RedisPubSubAdapter<String, String> {

		@Override
		public void message(String channel, String message) {
			int newline = message.indexOf('\n');
			if (newline < 1) {
				return;
			}
			String token = message.substring(1, newline);
			if (message.charAt(0) == 'E') {
				int lengthEnd = message.indexOf('\n', newline + 1);
				int keyLength = (lengthEnd < 0) ? -1 : parseLength(message, newline + 1, lengthEnd);
				if (keyLength < 0 || lengthEnd + 1 + keyLength > message.length()) {
					return;
				}
				int keyEnd = lengthEnd + 1 + keyLength;
				CompletableFuture<Signal> waiter = RedisDistributedLayer.this.waiters
					.remove(message.substring(lengthEnd + 1, keyEnd));
				if (waiter != null) {
					waiter.complete(new Signal(Signal.Kind.SUCCESS, token, message.substring(keyEnd)));
				}
				return;
			}
			CompletableFuture<Signal> waiter = RedisDistributedLayer.this.waiters.remove(message.substring(newline + 1));
			if (waiter != null) {
				Signal.Kind kind = (message.charAt(0) == 'S') ? Signal.Kind.SUCCESS : Signal.Kind.FAILURE;
				waiter.complete(new Signal(kind, token, null));
			}
		}

		/** The decimal number in {@code text} between {@code start} and {@code end}, -1 if there is none. */
		private static int parseLength(String text, int start, int end) {
			if (end - start < 1 || end - start > 9) {
				return -1;
			}
			int value = 0;
			for (int i = start; i < end; i++) {
				char c = text.charAt(i);
				if (c < '0' || c > '9') {
					return -1;
				}
				value = value * 10 + (c - '0');
			}
			return value;
		}

		@Override
		public void subscribed(String channel, long count) {
			RedisDistributedLayer.this.subscribed = true;
			// after a reconnect: completions published during the gap were lost
			wakeAll();
		}

	}

}
