package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
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
	public CollapseSettings resolve(String name, @Nullable Collapsed annotation, String origin) {
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

	private CollapseSettings resolveSettings(String name, @Nullable Collapsed annotation, String origin) {
		CollapseProperties.Instance own = this.properties.getInstances().get(name);
		InstanceDefaults defaults = this.properties.getDefaults();
		String ownPrefix = "collapse.instances." + name + ".";

		Duration ttl = pick(own, CollapseProperties.Instance::getTtl, ownPrefix + "ttl",
				(annotation != null) ? annotation.ttl() : "", origin, "ttl", this::duration,
				defaults.getTtl(), "collapse.defaults.ttl")
			.check(CollapseSettings::requireTtl);
		Jitter jitter = pick(own, CollapseProperties.Instance::getJitter, ownPrefix + "jitter",
				(annotation != null) ? annotation.jitter() : "", origin, "jitter", this::placeholder,
				defaults.getJitter(), "collapse.defaults.jitter")
			.check((text) -> Jitter.parse(text, DurationStyle::detectAndParse));
		Duration waitTimeout = pick(own, CollapseProperties.Instance::getWaitTimeout, ownPrefix + "wait-timeout",
				(annotation != null) ? annotation.waitTimeout() : "", origin, "waitTimeout", this::duration,
				defaults.getWaitTimeout(), "collapse.defaults.wait-timeout")
			.check(CollapseSettings::requireWaitTimeout);
		boolean cacheNulls = pickProperty(own, CollapseProperties.Instance::getCacheNulls, ownPrefix + "cache-nulls",
				defaults.isCacheNulls(), "collapse.defaults.cache-nulls")
			.value();
		double beta = pickProperty(own, (i) -> i.getEarlyRefresh().getBeta(), ownPrefix + "early-refresh.beta",
				defaults.getEarlyRefresh().getBeta(), "collapse.defaults.early-refresh.beta")
			.check(CollapseSettings::requireEarlyRefreshBeta);
		RetrySettings retry = retry(own, defaults.getRetry(), ownPrefix);
		Duration staleIfError = pickProperty(own, CollapseProperties.Instance::getStaleIfError,
				ownPrefix + "stale-if-error", defaults.getStaleIfError(), "collapse.defaults.stale-if-error")
			.check(CollapseSettings::requireStaleIfError);
		Duration loadTimeout = pick(own, CollapseProperties.Instance::getLoadTimeout, ownPrefix + "load-timeout",
				(annotation != null) ? annotation.loadTimeout() : "", origin, "loadTimeout", this::duration,
				defaults.getLoadTimeout(), "collapse.defaults.load-timeout")
			.check(CollapseSettings::requireLoadTimeout);
		Duration failureTtl = pick(own, CollapseProperties.Instance::getFailureTtl, ownPrefix + "failure-ttl",
				(annotation != null) ? annotation.failureTtl() : "", origin, "failureTtl", this::duration,
				defaults.getFailureTtl(), "collapse.defaults.failure-ttl")
			.check(CollapseSettings::requireFailureTtl);
		return new CollapseSettings(ttl, jitter, waitTimeout, cacheNulls, beta, retry, staleIfError, loadTimeout,
				failureTtl);
	}

	private RetrySettings retry(CollapseProperties.@Nullable Instance own, InstanceDefaults.Retry defaults, String ownPrefix) {
		int attempts = pickProperty(own, (i) -> i.getRetry().getMaxAttempts(), ownPrefix + "retry.max-attempts",
				defaults.getMaxAttempts(), "collapse.defaults.retry.max-attempts")
			.check(RetrySettings::requireMaxAttempts);
		Duration base = pickProperty(own, (i) -> i.getRetry().getBaseDelay(), ownPrefix + "retry.base-delay",
				defaults.getBaseDelay(), "collapse.defaults.retry.base-delay")
			.check(RetrySettings::requireBaseDelay);
		Duration max = pickProperty(own, (i) -> i.getRetry().getMaxDelay(), ownPrefix + "retry.max-delay",
				defaults.getMaxDelay(), "collapse.defaults.retry.max-delay")
			.check((value) -> RetrySettings.requireMaxDelay(value, base));
		List<Class<? extends Throwable>> retryOn = pickProperty(own, (i) -> i.getRetry().getRetryOn(),
				ownPrefix + "retry.retry-on", defaults.getRetryOn(), "collapse.defaults.retry.retry-on")
			.value();
		List<Class<? extends Throwable>> ignore = pickProperty(own, (i) -> i.getRetry().getIgnore(),
				ownPrefix + "retry.ignore", defaults.getIgnore(), "collapse.defaults.retry.ignore")
			.value();
		return new RetrySettings(attempts, base, max, (retryOn != null) ? retryOn : List.of(),
				(ignore != null) ? ignore : List.of());
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
	private <T> Setting<T> pick(CollapseProperties.@Nullable Instance own,
			Function<CollapseProperties.Instance, @Nullable T> property,
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

	private <T> Setting<T> pickProperty(CollapseProperties.@Nullable Instance own,
			Function<CollapseProperties.Instance, @Nullable T> property, String propertyName, T defaultValue,
			String defaultName) {
		if (own != null && property.apply(own) != null) {
			return new Setting<>(property.apply(own), "property " + propertyName);
		}
		return new Setting<>(defaultValue, "property " + defaultName);
	}

	/** A resolved value and where it came from. */
	private record Setting<T>(T value, String source) {

		/**
		 * The value checked (and converted) by {@code rule}, the one place that states its range;
		 * a value out of range is reported with its source.
		 */
		<R> R check(Function<T, R> rule) {
			try {
				return rule.apply(this.value);
			}
			catch (IllegalArgumentException ex) {
				throw new CollapseConfigurationException(this.source, ex.getMessage(), ex);
			}
		}

	}

}
