package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.PropertyResolver;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.SettingsResolver;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Jitter;
import dev.collapse.core.RetrySettings;

/**
 * Resolves each setting from the first place that sets it: {@code collapse.instances.<name>.*},
 * then the annotation's attribute, then {@code collapse.defaults.*}. Every error names that place.
 */
final class PropertiesSettingsResolver implements SettingsResolver {

	private final CollapseProperties properties;

	private final PropertyResolver placeholders;

	PropertiesSettingsResolver(CollapseProperties properties, PropertyResolver placeholders) {
		this.properties = properties;
		this.placeholders = placeholders;
	}

	@Override
	public CollapseSettings resolve(String name, Collapsed annotation, String origin) {
		try {
			return resolveSettings(name, annotation, origin);
		}
		catch (CollapseConfigurationException ex) {
			if (!ex.getOrigin().startsWith("property ")) {
				throw ex;
			}
			// a property may serve many methods: name the one that failed to start with it too
			throw new CollapseConfigurationException(ex.getOrigin() + " (read for " + origin + ")", ex.getProblem(),
					ex.getCause());
		}
	}

	private CollapseSettings resolveSettings(String name, Collapsed annotation, String origin) {
		CollapseProperties.Instance own = this.properties.getInstances().get(name);
		CollapseProperties.Instance defaults = this.properties.getDefaults();
		String ownPrefix = "collapse.instances." + name + ".";

		Setting<Duration> ttl = pick(own, CollapseProperties.Instance::getTtl, ownPrefix + "ttl",
				(annotation != null) ? annotation.ttl() : "", origin, "ttl", this::duration,
				defaults.getTtl(), "collapse.defaults.ttl");
		if (ttl.value == null || ttl.value.isNegative()) {
			throw new CollapseConfigurationException(ttl.source, "ttl must be zero or positive, was " + ttl.value);
		}
		Setting<String> jitterText = pick(own, CollapseProperties.Instance::getJitter, ownPrefix + "jitter",
				(annotation != null) ? annotation.jitter() : "", origin, "jitter", this::placeholder,
				defaults.getJitter(), "collapse.defaults.jitter");
		Jitter jitter = jitter(jitterText);
		Setting<Duration> waitTimeout = pick(own, CollapseProperties.Instance::getWaitTimeout,
				ownPrefix + "wait-timeout", (annotation != null) ? annotation.waitTimeout() : "", origin,
				"waitTimeout", this::duration, defaults.getWaitTimeout(), "collapse.defaults.wait-timeout");
		if (waitTimeout.value == null || waitTimeout.value.isNegative() || waitTimeout.value.isZero()) {
			throw new CollapseConfigurationException(waitTimeout.source,
					"wait timeout must be positive, was " + waitTimeout.value);
		}
		Setting<Boolean> cacheNulls = pickProperty(own, CollapseProperties.Instance::getCacheNulls,
				ownPrefix + "cache-nulls", defaults.getCacheNulls(), "collapse.defaults.cache-nulls");
		Setting<Double> beta = pickProperty(own, (i) -> i.getEarlyRefresh().getBeta(),
				ownPrefix + "early-refresh.beta", defaults.getEarlyRefresh().getBeta(),
				"collapse.defaults.early-refresh.beta");
		if (beta.value == null || !(beta.value >= 0) || beta.value.isInfinite()) {
			throw new CollapseConfigurationException(beta.source,
					"early-refresh beta must be zero (off) or positive, was " + beta.value);
		}
		RetrySettings retry = retry(own, defaults, ownPrefix);
		Setting<Duration> staleIfError = pickProperty(own, CollapseProperties.Instance::getStaleIfError,
				ownPrefix + "stale-if-error", defaults.getStaleIfError(), "collapse.defaults.stale-if-error");
		if (staleIfError.value == null || staleIfError.value.isNegative()) {
			throw new CollapseConfigurationException(staleIfError.source,
					"stale-if-error must be zero (off) or positive, was " + staleIfError.value);
		}
		return new CollapseSettings(ttl.value, jitter, waitTimeout.value, Boolean.TRUE.equals(cacheNulls.value),
				beta.value, retry, staleIfError.value);
	}

	private RetrySettings retry(CollapseProperties.Instance own, CollapseProperties.Instance defaults,
			String ownPrefix) {
		Setting<Integer> attempts = pickProperty(own, (i) -> i.getRetry().getMaxAttempts(),
				ownPrefix + "retry.max-attempts", defaults.getRetry().getMaxAttempts(),
				"collapse.defaults.retry.max-attempts");
		Setting<Duration> base = pickProperty(own, (i) -> i.getRetry().getBaseDelay(),
				ownPrefix + "retry.base-delay", defaults.getRetry().getBaseDelay(),
				"collapse.defaults.retry.base-delay");
		Setting<Duration> max = pickProperty(own, (i) -> i.getRetry().getMaxDelay(), ownPrefix + "retry.max-delay",
				defaults.getRetry().getMaxDelay(), "collapse.defaults.retry.max-delay");
		if (attempts.value == null || attempts.value < 1) {
			throw new CollapseConfigurationException(attempts.source,
					"max attempts must be at least 1, was " + attempts.value);
		}
		if (base.value == null || base.value.isNegative()) {
			throw new CollapseConfigurationException(base.source, "base delay must not be negative, was " + base.value);
		}
		if (max.value == null || max.value.compareTo(base.value) < 0) {
			throw new CollapseConfigurationException(max.source,
					"max delay (" + max.value + ") must not be shorter than the base delay (" + base.value + ")");
		}
		Setting<List<Class<? extends Throwable>>> retryOn = pickProperty(own, (i) -> i.getRetry().getRetryOn(),
				ownPrefix + "retry.retry-on", defaults.getRetry().getRetryOn(), "collapse.defaults.retry.retry-on");
		Setting<List<Class<? extends Throwable>>> ignore = pickProperty(own, (i) -> i.getRetry().getIgnore(),
				ownPrefix + "retry.ignore", defaults.getRetry().getIgnore(), "collapse.defaults.retry.ignore");
		return new RetrySettings(attempts.value, base.value, max.value,
				(retryOn.value != null) ? retryOn.value : List.of(), (ignore.value != null) ? ignore.value : List.of());
	}

	private Jitter jitter(Setting<String> text) {
		String value = (text.value != null) ? text.value.trim() : "";
		try {
			if (value.endsWith("%")) {
				return Jitter.percent(Double.parseDouble(value.substring(0, value.length() - 1).trim()));
			}
			Duration duration = DurationStyle.detectAndParse(value);
			return Jitter.of(duration);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException(text.source, "jitter must be a duration such as 30s or a "
					+ "percentage of the ttl such as 10%, zero or more; was '" + value + "'");
		}
	}

	private String placeholder(String text) {
		return this.placeholders.resolveRequiredPlaceholders(text);
	}

	private Duration duration(String text) {
		String resolved = placeholder(text).trim();
		try {
			return DurationStyle.detectAndParse(resolved);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"'" + resolved + "' is not a duration (examples: 500ms, 30s, 5m, PT5M, 0)");
		}
	}

	/** Instance property, else annotation attribute, else default. */
	private <T> Setting<T> pick(CollapseProperties.Instance own, Function<CollapseProperties.Instance, T> property,
			String propertyName, String attribute, String origin, String attributeName,
			Function<String, T> parse, T defaultValue, String defaultName) {
		if (own != null && property.apply(own) != null) {
			return new Setting<>(property.apply(own), "property " + propertyName);
		}
		if (!attribute.isEmpty()) {
			String source = origin + " attribute " + attributeName + " = \"" + attribute + "\"";
			try {
				return new Setting<>(parse.apply(attribute), source);
			}
			catch (IllegalArgumentException ex) {
				throw new CollapseConfigurationException(source, ex.getMessage(), ex);
			}
		}
		return new Setting<>(defaultValue, "property " + defaultName);
	}

	private <T> Setting<T> pickProperty(CollapseProperties.Instance own,
			Function<CollapseProperties.Instance, T> property, String propertyName, T defaultValue,
			String defaultName) {
		if (own != null && property.apply(own) != null) {
			return new Setting<>(property.apply(own), "property " + propertyName);
		}
		return new Setting<>(defaultValue, "property " + defaultName);
	}

	/** A resolved value and where it came from. */
	private record Setting<T>(T value, String source) {
	}

}
