package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of collapse, under {@code collapse.*}.
 */
@ConfigurationProperties("collapse")
public class CollapseProperties {

	/** Order of collapse's interceptor: by default outside @Transactional and @Cacheable, inside method security. */
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
	private final Instance defaults = Instance.withDefaults();

	/**
	 * Settings by instance name; they override the annotation's attributes and the defaults.
	 */
	private final Map<String, Instance> instances = new LinkedHashMap<>();

	private final Local local = new Local();

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

	public Instance getDefaults() {
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

	/**
	 * Settings of one instance. Unset values are inherited: instance, then annotation, then defaults.
	 */
	public static class Instance {

		/**
		 * How long a result is reused. 0 collapses concurrent calls only and stores nothing.
		 */
		private Duration ttl;

		/**
		 * Random extra time to live, uniform in [0, jitter]: a duration such as 30s, or a share of the ttl such as 10%.
		 */
		private String jitter;

		/**
		 * Longest time a caller waits for another caller's load before CollapseTimeoutException.
		 */
		private Duration waitTimeout;

		/**
		 * Whether a null result is stored like any other. When false, every call after a null result loads again.
		 */
		private Boolean cacheNulls;

		/**
		 * How long after its expiry an entry may still be served when its reload fails. 0 serves the failure.
		 */
		private Duration staleIfError;

		private final EarlyRefresh earlyRefresh = new EarlyRefresh();

		private final Retry retry = new Retry();

		static Instance withDefaults() {
			Instance defaults = new Instance();
			defaults.setTtl(Duration.ZERO);
			defaults.setJitter("10%");
			defaults.setWaitTimeout(Duration.ofSeconds(10));
			defaults.setCacheNulls(true);
			defaults.setStaleIfError(Duration.ZERO);
			defaults.getEarlyRefresh().setBeta(1.0);
			defaults.getRetry().setMaxAttempts(1);
			defaults.getRetry().setBaseDelay(Duration.ofMillis(100));
			defaults.getRetry().setMaxDelay(Duration.ofSeconds(2));
			defaults.getRetry().setRetryOn(new ArrayList<>());
			defaults.getRetry().setIgnore(new ArrayList<>());
			return defaults;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public String getJitter() {
			return this.jitter;
		}

		public void setJitter(String jitter) {
			this.jitter = jitter;
		}

		public Duration getWaitTimeout() {
			return this.waitTimeout;
		}

		public void setWaitTimeout(Duration waitTimeout) {
			this.waitTimeout = waitTimeout;
		}

		public Boolean getCacheNulls() {
			return this.cacheNulls;
		}

		public void setCacheNulls(Boolean cacheNulls) {
			this.cacheNulls = cacheNulls;
		}

		public Duration getStaleIfError() {
			return this.staleIfError;
		}

		public void setStaleIfError(Duration staleIfError) {
			this.staleIfError = staleIfError;
		}

		public EarlyRefresh getEarlyRefresh() {
			return this.earlyRefresh;
		}

		public Retry getRetry() {
			return this.retry;
		}

	}

	/**
	 * X-Fetch early refresh.
	 */
	public static class EarlyRefresh {

		/**
		 * X-Fetch's beta: above 1 refreshes earlier, below 1 later; 0 turns early refresh off.
		 */
		private Double beta;

		public Double getBeta() {
			return this.beta;
		}

		public void setBeta(Double beta) {
			this.beta = beta;
		}

	}

	/**
	 * Retries of a failed load by its leader, with exponential backoff and full jitter.
	 */
	public static class Retry {

		/**
		 * Executions of a load in all; 1 means no retry.
		 */
		private Integer maxAttempts;

		/**
		 * Ceiling of the first backoff; each retry doubles it, up to max-delay.
		 */
		private Duration baseDelay;

		/**
		 * Largest backoff ceiling.
		 */
		private Duration maxDelay;

		/**
		 * Exceptions that are retried, with their subclasses. Empty retries every Exception (never an Error).
		 */
		private List<Class<? extends Throwable>> retryOn;

		/**
		 * Exceptions that are never retried, with their subclasses, even when retry-on names a superclass.
		 */
		private List<Class<? extends Throwable>> ignore;

		public List<Class<? extends Throwable>> getRetryOn() {
			return this.retryOn;
		}

		public void setRetryOn(List<Class<? extends Throwable>> retryOn) {
			this.retryOn = retryOn;
		}

		public List<Class<? extends Throwable>> getIgnore() {
			return this.ignore;
		}

		public void setIgnore(List<Class<? extends Throwable>> ignore) {
			this.ignore = ignore;
		}

		public Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getBaseDelay() {
			return this.baseDelay;
		}

		public void setBaseDelay(Duration baseDelay) {
			this.baseDelay = baseDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
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
	 * Fleet-wide collapsing through Redis.
	 */
	public static class Redis {

		/**
		 * Whether to collapse across every instance that shares the Redis of spring.data.redis.*.
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

	}

}
