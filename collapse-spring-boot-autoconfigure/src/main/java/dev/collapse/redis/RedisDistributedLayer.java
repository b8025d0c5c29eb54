package dev.collapse.redis;

import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.CollapseSettings;
import dev.collapse.core.KeyEncoder;
import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedLayer;
import dev.collapse.core.spi.DistributedStatus;
import dev.collapse.core.spi.DistributedUnavailableException;

/**
 * Fleet-wide collapsing through Redis, for one node. It composes three parts and reports
 * their status: the {@link RedisLink} (connections, availability, probe, command timeouts, and
 * the {@link Subscription} and its check), the
 * {@link CompletionChannel} (completion messages and the waiters they wake) and the
 * {@link LeaseKeeper} (tokens, renewals, abandoned lease attempts); each instance's protocol is a
 * {@link RedisInstanceCoordinator}.
 *
 * <p>Lifecycle: {@link #start} connects and subscribes (waiting up to the command timeout for Redis
 * to answer), {@link #stop} unsubscribes, disconnects and stops every renewal; the application
 * stops the layer before the connection factory whose client it uses. {@link #close} also ends the
 * layer's threads, for good.
 *
 * <p>Threads: Lettuce's I/O threads only complete futures here (a waiter's signal, a renewal's
 * result); no load and no caller code ever runs on them. Renewals, probes, the check of the
 * subscription and the timers of asynchronous calls run on a small scheduler of this layer; the steps of asynchronous calls on a
 * bounded pool of this layer, which no wait holds (docs/design.md, Threads).
 */
public final class RedisDistributedLayer implements DistributedLayer, DistributedStatus, AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisDistributedLayer.class);

	/**
	 * Threads of the layer's executor: its tasks never wait for another node or a load (see
	 * {@link AsyncFleetCall}), only for Redis, so a few serve any number of keys in flight.
	 */
	private static final int EXECUTOR_THREADS = 16;

	/** Tasks queued for the executor at most; beyond, asynchronous calls lead in their JVM. */
	private static final int EXECUTOR_QUEUE = 100_000;

	private final RedisKeys keys;

	private final RedisValueSerializer serializer;

	private final RedisLayerSettings settings;

	/** Runs probes and renewals; shut down by {@link #close} only. */
	private final ScheduledThreadPoolExecutor scheduler;

	/**
	 * Runs the steps of asynchronous calls (short Redis commands between their waits), the rest of a
	 * synchronous call whose caller stopped waiting; bounded,
	 * it refuses beyond its queue (the call then leads in its JVM). Shut down by {@link #close} only.
	 */
	private final ThreadPoolExecutor executor;

	private final CompletionChannel channel;

	private final RedisLink link;

	private final LeaseKeeper leases;

	/** The near cache's trust and counters, shared by every instance. */
	private final NearCache near;

	/** Instances whose keys that cannot be shared were logged: once each. */
	private final Set<String> unencodableLogged = ConcurrentHashMap.newKeySet();

	/** Whether {@link #start} ran and neither {@link #stop} nor {@link #close} since; written under this. */
	private volatile boolean running;

	/** The evictions of each instance, by instance prefix; added when the instance is created, or first evicted. */
	private final Map<String, InstanceEvictions> evictions = new ConcurrentHashMap<>();

	/** Set once by {@link #close}: the threads are gone and the layer never starts again. */
	private volatile boolean closed;

	/**
	 * Creates the layer; nothing connects before {@link #start}.
	 * @param client the application's Lettuce client (of Boot's connection factory), asked for when
	 * the layer connects
	 * @param serializer writes and reads values
	 * @param keyPrefix prefix of every key and of the channel
	 * @param keyEncoders write keys of other types than those the fleet encodes itself, in this
	 * order (docs/design.md, Keys)
	 */
	public RedisDistributedLayer(Supplier<AbstractRedisClient> client, RedisValueSerializer serializer, String keyPrefix,
			List<KeyEncoder> keyEncoders, RedisLayerSettings settings) {
		this.serializer = serializer;
		this.keys = new RedisKeys(keyPrefix, new KeyEncoding(keyEncoders));
		this.settings = settings;
		this.scheduler = new ScheduledThreadPoolExecutor(2, daemon("collapse-redis-scheduler"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.executor = new ThreadPoolExecutor(EXECUTOR_THREADS, EXECUTOR_THREADS, 30, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(EXECUTOR_QUEUE), daemon("collapse-redis-"), new ThreadPoolExecutor.AbortPolicy());
		this.executor.allowCoreThreadTimeOut(true);
		this.near = new NearCache(settings.nearCacheEntries() > 0, this::copiesMayBeTrusted, this::dropCopies);
		this.channel = new CompletionChannel(this.keys.channel(), this::heard, this::resubscribed, this.near::reassess);
		this.link = new RedisLink(client, settings, this.scheduler, this.channel, new RedisLink.Observer() {

			@Override
			public void lost() {
				// waiters re-read, fail at once and fall back instead of waiting out their lease
				RedisDistributedLayer.this.channel.wakeAll();
				availabilityChanged();
			}

			@Override
			public void answered(RedisClusterAsyncCommands<String, String> commands) {
				RedisDistributedLayer.this.leases.releaseAbandoned(commands);
			}

			@Override
			public void recovered() {
				availabilityChanged();
				RedisDistributedLayer.this.channel.wakeAll();
			}

		});
		this.leases = new LeaseKeeper(settings.lease(), this.scheduler, this.link::commands, this.keys.channel());
	}

	private static ThreadFactory daemon(String name) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, name.endsWith("-") ? name + count.incrementAndGet() : name);
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Connects and subscribes in the background and waits up to the command timeout for Redis to
	 * answer; either way calls are collapsed locally until it does. Does nothing while running, or
	 * once closed.
	 */
	public void start() {
		synchronized (this) {
			if (this.running || this.closed) {
				return;
			}
			this.running = true;
		}
		this.link.start();
	}

	/**
	 * Unsubscribes, disconnects and stops renewing leases: calls are collapsed locally from now on,
	 * and their waiters re-read at once. {@link #start} connects again.
	 */
	public void stop() {
		synchronized (this) {
			if (!this.running) {
				return;
			}
			this.running = false;
		}
		this.leases.stop();
		this.link.stop();
		// also withdraws the trust in copies
		this.channel.subscriptionClosed();
		this.channel.wakeAll();
	}

	/** Whether the layer was started and not stopped since (Redis may still be unavailable). */
	public boolean isRunning() {
		return this.running;
	}

	/** {@link #stop}, and ends the layer's threads: it cannot start again. */
	@Override
	public void close() {
		this.closed = true;
		stop();
		this.scheduler.shutdownNow();
		// queued steps of asynchronous calls still run (they fail fast, Redis is gone) and later
		// ones are refused: either way their calls end, leading in this JVM or failing
		this.executor.shutdown();
		// asynchronous calls that began to wait since stop()'s wake-up lost their timers with the
		// scheduler: woken now, they end too
		this.channel.wakeAll();
	}

	@Override
	public DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType) {
		RedisValueSerializer.Codec codec = (valueType == void.class || valueType == Void.class) ? COMPLETION
				: this.serializer.codec(valueType);
		return new RedisInstanceCoordinator(this, name, settings, codec, evictions(name));
	}

	/**
	 * The value of a {@code void} method: its completion, stored as an empty text so that other nodes
	 * reuse it for the ttl like any result. It never reaches the application's serializer.
	 */
	private static final RedisValueSerializer.Codec COMPLETION = new RedisValueSerializer.Codec() {

		@Override
		public String write(@Nullable Object value) {
			return "";
		}

		@Override
		public @Nullable Object read(String text) {
			return null;
		}

	};

	// ---- evictions (docs/design.md, Evictions)

	/** An eviction message, on an I/O thread: handed to the instance it names, if this node has it. */
	private void heard(CompletionMessage message) {
		if (message.signal().kind() == Signal.Kind.EVICTED_ALL) {
			InstanceEvictions instance = this.evictions.get(message.entryKey());
			if (instance != null) {
				instance.heard(message);
			}
			return;
		}
		// an entry key starts with its instance's prefix, and with no other: names escape ':'
		for (InstanceEvictions instance : this.evictions.values()) {
			if (message.entryKey().startsWith(instance.instancePrefix())) {
				instance.heard(message);
				return;
			}
		}
	}

	/** Messages may have been lost while the subscription was down: generations are read again, copies dropped. */
	private void resubscribed() {
		for (InstanceEvictions instance : this.evictions.values()) {
			instance.forgetGeneration();
		}
		this.near.reassess();
	}

	/** What instances stored alone while Redis was down, or before it went down, is not served again. */
	private void availabilityChanged() {
		this.near.reassess();
		for (InstanceEvictions instance : this.evictions.values()) {
			instance.availabilityChanged();
		}
	}

	// ---- the near cache (docs/redis.md, Near cache)

	/** Whether every change of the fleet's entries reaches this node now. */
	private boolean copiesMayBeTrusted() {
		return this.running && this.link.available() && this.channel.subscribed();
	}

	private void dropCopies() {
		for (InstanceEvictions instance : this.evictions.values()) {
			instance.dropCopies();
		}
	}

	NearCache near() {
		return this.near;
	}

	/**
	 * {@inheritDoc} The entry's Redis key depends on the name and key only, not on the type of
	 * its values, so a node that never read the name can evict what another node stored.
	 */
	@Override
	public boolean evict(String name, Object key) {
		return evictions(name).evict(key);
	}

	@Override
	public boolean evictAll(String name) {
		return evictions(name).evictAll();
	}

	/** The one {@link InstanceEvictions} of instance {@code name} on this node, created on first use. */
	InstanceEvictions evictions(String name) {
		String instancePrefix = this.keys.instancePrefix(name);
		return this.evictions.computeIfAbsent(instancePrefix, (prefix) -> new InstanceEvictions(this, name, prefix));
	}

	/** {@inheritDoc} With a {@link KeyEncoder} bean, any type may be encoded: each key is checked when called. */
	@Override
	public @Nullable String unsupportedKeyType(Type keyType) {
		return this.keys.encoding().hasEncoders() ? null : KeyTypes.unencodable(keyType);
	}

	/**
	 * The Redis key of {@code key} of instance {@code name}, or {@code null} if the fleet cannot
	 * encode it faithfully: the call is then collapsed in its JVM only (docs/design.md, Keys), said
	 * once per instance, by the key's class, never its content.
	 */
	@Nullable String entry(String name, String instancePrefix, Object key) {
		try {
			return this.keys.entry(instancePrefix, key);
		}
		catch (UnencodableKeyException ex) {
			if (this.unencodableLogged.add(name)) {
				logger.warn("collapse instance '" + name + "': a key cannot be shared with the fleet, because "
						+ ex.getMessage() + "; such calls are collapsed in their JVM only (counted as fallback). Give "
						+ "the key attribute an expression that yields strings, numbers, enums, UUIDs, records or "
						+ "collections of these, or declare a KeyEncoder bean (docs/usage.md, Keys)");
			}
			return null;
		}
	}

	RedisKeys keys() {
		return this.keys;
	}

	RedisLayerSettings settings() {
		return this.settings;
	}

	ThreadPoolExecutor executor() {
		return this.executor;
	}

	/** Timers of the layer: they only hand work to the executor or complete futures. */
	ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	RedisLink link() {
		return this.link;
	}

	CompletionChannel channel() {
		return this.channel;
	}

	LeaseKeeper leases() {
		return this.leases;
	}

	// ---- status

	@Override
	public boolean available() {
		return this.link.available();
	}

	@Override
	public @Nullable Instant fallbackSince() {
		return this.link.fallbackSince();
	}

	@Override
	public String detail() {
		String error = this.link.lastError();
		Subscription subscription = this.link.subscription();
		String state = subscription.stalled() ? ", subscription stalled (no PONG), subscribing again"
				: this.channel.subscribed() ? ", subscribed" : ", not subscribed";
		long stalls = subscription.stalls();
		return (this.link.cluster() ? "Redis Cluster" : "Redis") + state
				+ ((stalls > 0) ? ", subscription stalls: " + stalls : "") + ((error != null) ? ", last error: " + error : "");
	}

	/** Keys that callers of this node wait for now, for tests and the endpoint. */
	public int waiting() {
		return this.channel.waiting();
	}

	/** Whether the completion subscription missed its {@code PONG} and no new one is confirmed yet. */
	public boolean subscriptionStalled() {
		return this.link.subscription().stalled();
	}

	/** Whether the completion subscription is confirmed now. */
	public boolean subscribed() {
		return this.channel.subscribed();
	}

}
