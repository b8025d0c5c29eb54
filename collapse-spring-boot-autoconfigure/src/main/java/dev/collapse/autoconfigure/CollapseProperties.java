package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of collapse, under {@code collapse.*}. One class with nested groups, as Boot's own
 * {@code XxxProperties} are, so that the metadata processor sees the whole tree in one place; its
 * length is getters and setters.
 */
@ConfigurationProperties("collapse")
public class CollapseProperties {

	/**
	 * Order of collapse's interceptor: by default outside @Transactional and @Cacheable, inside
	 * method security. The configuration processor cannot evaluate this expression, so
	 * additional-spring-configuration-metadata.json states its value; ConfigurationDefaultsTest
	 * keeps the two equal.
	 */
	public static final int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

	/**
	 * Whether @Collapsed methods are collapsed. When false they run as plain calls.
	 */
	private boolean enabled = true;

	/**
	 * Order of the collapse interceptor among the proxy's advisors. Lower runs first (outside).
	 */
	private int order = DEFAULT_ORDER;

	/**
	 * Settings of every instance, unless the annotation or the instance's own settings say otherwise.
	 */
	@NestedConfigurationProperty
	private final InstanceDefaults defaults = new InstanceDefaults();

	/**
	 * Settings by instance name; they override the annotation's attributes and the defaults.
	 */
	private final Map<String, Instance> instances = new LinkedHashMap<>();

	private final Local local = new Local();

	private final Executor executor = new Executor();

	private final Redis redis = new Redis();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	public InstanceDefaults getDefaults() {
		return this.defaults;
	}

	public Map<String, Instance> getInstances() {
		return this.instances;
	}

	public Local getLocal() {
		return this.local;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Executor getExecutor() {
		return this.executor;
	}

	/**
	 * Settings of one instance, under {@code collapse.instances.<name>.*}. Each field is null until
	 * a property sets it, and null means unset: the setting then comes from the annotation, then
	 * from {@code collapse.defaults.*} ({@link InstanceDefaults}, which documents each one).
	 */
	public static class Instance {

		private @Nullable Duration ttl;

		private @Nullable String jitter;

		private @Nullable Duration waitTimeout;

		private @Nullable Boolean cacheNulls;

		private @Nullable Duration staleIfError;

		private @Nullable Duration loadTimeout;

		private @Nullable Duration failureTtl;

		private final EarlyRefresh earlyRefresh = new EarlyRefresh();

		private final Retry retry = new Retry();

		public @Nullable Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(@Nullable Duration ttl) {
			this.ttl = ttl;
		}

		public @Nullable String getJitter() {
			return this.jitter;
		}

		public void setJitter(@Nullable String jitter) {
			this.jitter = jitter;
		}

		public @Nullable Duration getWaitTimeout() {
			return this.waitTimeout;
		}

		public void setWaitTimeout(@Nullable Duration waitTimeout) {
			this.waitTimeout = waitTimeout;
		}

		public @Nullable Boolean getCacheNulls() {
			return this.cacheNulls;
		}

		public void setCacheNulls(@Nullable Boolean cacheNulls) {
			this.cacheNulls = cacheNulls;
		}

		public @Nullable Duration getStaleIfError() {
			return this.staleIfError;
		}

		public void setStaleIfError(@Nullable Duration staleIfError) {
			this.staleIfError = staleIfError;
		}

		public @Nullable Duration getLoadTimeout() {
			return this.loadTimeout;
		}

		public void setLoadTimeout(@Nullable Duration loadTimeout) {
			this.loadTimeout = loadTimeout;
		}

		public @Nullable Duration getFailureTtl() {
			return this.failureTtl;
		}

		public void setFailureTtl(@Nullable Duration failureTtl) {
			this.failureTtl = failureTtl;
		}

		public EarlyRefresh getEarlyRefresh() {
			return this.earlyRefresh;
		}

		public Retry getRetry() {
			return this.retry;
		}

	}

	/** {@code collapse.instances.<name>.early-refresh.*}; null is unset. */
	public static class EarlyRefresh {

		private @Nullable Double beta;

		public @Nullable Double getBeta() {
			return this.beta;
		}

		public void setBeta(@Nullable Double beta) {
			this.beta = beta;
		}

	}

	/** {@code collapse.instances.<name>.retry.*}; null is unset. */
	public static class Retry {

		private @Nullable Integer maxAttempts;

		private @Nullable Duration baseDelay;

		private @Nullable Duration maxDelay;

		private @Nullable List<Class<? extends Throwable>> retryOn;

		private @Nullable List<Class<? extends Throwable>> ignore;

		public @Nullable Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(@Nullable Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public @Nullable Duration getBaseDelay() {
			return this.baseDelay;
		}

		public void setBaseDelay(@Nullable Duration baseDelay) {
			this.baseDelay = baseDelay;
		}

		public @Nullable Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(@Nullable Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public @Nullable List<Class<? extends Throwable>> getRetryOn() {
			return this.retryOn;
		}

		public void setRetryOn(@Nullable List<Class<? extends Throwable>> retryOn) {
			this.retryOn = retryOn;
		}

		public @Nullable List<Class<? extends Throwable>> getIgnore() {
			return this.ignore;
		}

		public void setIgnore(@Nullable List<Class<? extends Throwable>> ignore) {
			this.ignore = ignore;
		}

	}

	/**
	 * The in-process store.
	 */
	public static class Local {

		/**
		 * Most entries kept in this JVM, all instances together; the least useful are evicted first.
		 */
		private long maxEntries = 10_000;

		public long getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(long maxEntries) {
			this.maxEntries = maxEntries;
		}

	}

	/**
	 * The pool that runs the application's code a timer made due (an asynchronous load's retry, an
	 * asynchronous caller's timeout), so that timer threads run timers only. Replaced by a
	 * CollapseExecutor bean of the application's own.
	 */
	public static class Executor {

		/**
		 * Most threads of the pool; idle ones end after 30 seconds.
		 */
		private int maxThreads = 16;

		/**
		 * Most tasks waiting for a thread; beyond it a retry is not run (the load fails with its last exception).
		 */
		private int queueCapacity = 10_000;

		public int getMaxThreads() {
			return this.maxThreads;
		}

		public void setMaxThreads(int maxThreads) {
			this.maxThreads = maxThreads;
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

	}

	/**
	 * Fleet-wide collapsing through Redis.
	 */
	public static class Redis {

		/**
		 * Whether to collapse across every node (running application) that shares the Redis of spring.data.redis.*.
		 */
		private boolean enabled = false;

		/**
		 * Prefix of every Redis key and channel collapse uses; ends with a separator.
		 */
		private String keyPrefix = "collapse:";

		/**
		 * Lease of a fleet-wide load, renewed by its leader while it loads.
		 */
		private Duration lease = Duration.ofSeconds(30);

		/**
		 * Longest wait for one Redis command; past it the call is collapsed in this JVM only (fallback).
		 */
		private Duration commandTimeout = Duration.ofMillis(500);

		/**
		 * Mean pause between two checks of a Redis that does not answer; each pause is jittered by +-50%.
		 */
		private Duration probeInterval = Duration.ofSeconds(1);

		/**
		 * Shortest time between two log lines about falling back to local collapsing.
		 */
		private Duration fallbackLogInterval = Duration.ofMinutes(1);

		/**
		 * Largest entry written to or read from Redis. A larger result is not shared (logged once);
		 * a larger entry found in Redis is treated as a miss, unread, and overwritten.
		 */
		private DataSize maxEntrySize = DataSize.ofMegabytes(1);

		/**
		 * Interval of the PING on the completion subscription, and how long its PONG may take; a
		 * subscription that misses it is stalled (a silently dropped socket) and is subscribed again.
		 */
		private Duration subscriptionCheck = Duration.ofSeconds(2);

		private final NearCache nearCache = new NearCache();

		public NearCache getNearCache() {
			return this.nearCache;
		}

		public Duration getSubscriptionCheck() {
			return this.subscriptionCheck;
		}

		public void setSubscriptionCheck(Duration subscriptionCheck) {
			this.subscriptionCheck = subscriptionCheck;
		}

		public DataSize getMaxEntrySize() {
			return this.maxEntrySize;
		}

		public void setMaxEntrySize(DataSize maxEntrySize) {
			this.maxEntrySize = maxEntrySize;
		}

		public Duration getCommandTimeout() {
			return this.commandTimeout;
		}

		public void setCommandTimeout(Duration commandTimeout) {
			this.commandTimeout = commandTimeout;
		}

		public Duration getProbeInterval() {
			return this.probeInterval;
		}

		public void setProbeInterval(Duration probeInterval) {
			this.probeInterval = probeInterval;
		}

		public Duration getFallbackLogInterval() {
			return this.fallbackLogInterval;
		}

		public void setFallbackLogInterval(Duration fallbackLogInterval) {
			this.fallbackLogInterval = fallbackLogInterval;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public Duration getLease() {
			return this.lease;
		}

		public void setLease(Duration lease) {
			this.lease = lease;
		}

		/**
		 * Copies of the fleet's entries in each node's local store.
		 */
		public static class NearCache {

			/**
			 * Whether to serve warm hits from fresh copies of the fleet's entries kept in the local
			 * store, without a Redis command, kept coherent by the completion subscription. When
			 * false, every hit reads Redis.
			 */
			private boolean enabled = true;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

		}

	}

}
