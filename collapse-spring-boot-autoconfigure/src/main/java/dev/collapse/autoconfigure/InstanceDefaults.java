package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of every instance, under {@code collapse.defaults.*}: what an instance gets when neither
 * {@code collapse.instances.<name>.*} nor its annotation says otherwise.
 *
 * <p>The field initializers are the library's only copy of its defaults: the configuration
 * processor writes them into the generated metadata (IDE help), and a test checks that the
 * metadata and the property tables of the docs agree with them. Per-instance settings
 * ({@link CollapseProperties.Instance}) carry no initializers, so that "unset" stays visible there.
 */
public class InstanceDefaults {

	/**
	 * How long a result is reused. 0 collapses concurrent calls only and stores nothing.
	 */
	private Duration ttl = Duration.ZERO;

	/**
	 * Random extra time to live, uniform in [0, jitter]: a duration such as 30s, or a share of the ttl such as 10%.
	 */
	private String jitter = "10%";

	/**
	 * Longest time a caller waits for another caller's load before CollapseTimeoutException.
	 */
	private Duration waitTimeout = Duration.ofSeconds(10);

	/**
	 * Whether a null result is stored like any other. When false, every call after a null result loads again.
	 */
	private boolean cacheNulls = true;

	/**
	 * How long after its expiry an entry may still be served when its reload fails. 0 serves the failure.
	 */
	private Duration staleIfError = Duration.ZERO;

	/**
	 * Longest time a load holds its key. Past it the key is released, in this JVM and in Redis: the next caller starts
	 * a new load, and the late result is stored nowhere.
	 */
	private Duration loadTimeout = Duration.ofSeconds(60);

	/**
	 * How long a failed load's exception is served to the callers of its key instead of a new load, plus the jitter
	 * (capped at this value). 0 caches no failure.
	 */
	private Duration failureTtl = Duration.ZERO;

	private final EarlyRefresh earlyRefresh = new EarlyRefresh();

	private final Retry retry = new Retry();

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

	public boolean isCacheNulls() {
		return this.cacheNulls;
	}

	public void setCacheNulls(boolean cacheNulls) {
		this.cacheNulls = cacheNulls;
	}

	public Duration getStaleIfError() {
		return this.staleIfError;
	}

	public void setStaleIfError(Duration staleIfError) {
		this.staleIfError = staleIfError;
	}

	public Duration getLoadTimeout() {
		return this.loadTimeout;
	}

	public void setLoadTimeout(Duration loadTimeout) {
		this.loadTimeout = loadTimeout;
	}

	public Duration getFailureTtl() {
		return this.failureTtl;
	}

	public void setFailureTtl(Duration failureTtl) {
		this.failureTtl = failureTtl;
	}

	public EarlyRefresh getEarlyRefresh() {
		return this.earlyRefresh;
	}

	public Retry getRetry() {
		return this.retry;
	}

	/**
	 * X-Fetch early refresh.
	 */
	public static class EarlyRefresh {

		/**
		 * X-Fetch's beta: above 1 refreshes earlier, below 1 later; 0 turns early refresh off.
		 */
		private double beta = 1.0;

		public double getBeta() {
			return this.beta;
		}

		public void setBeta(double beta) {
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
		private int maxAttempts = 1;

		/**
		 * Ceiling of the first backoff; each retry doubles it, up to max-delay.
		 */
		private Duration baseDelay = Duration.ofMillis(100);

		/**
		 * Largest backoff ceiling.
		 */
		private Duration maxDelay = Duration.ofSeconds(2);

		/**
		 * Exceptions that are retried, with their subclasses. Empty retries every Exception (never an Error).
		 */
		private List<Class<? extends Throwable>> retryOn = new ArrayList<>();

		/**
		 * Exceptions that are never retried, with their subclasses, even when retry-on names a superclass.
		 */
		private List<Class<? extends Throwable>> ignore = new ArrayList<>();

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
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

	}

}
