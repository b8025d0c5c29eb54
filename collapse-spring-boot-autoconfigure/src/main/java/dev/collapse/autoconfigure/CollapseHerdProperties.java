package dev.collapse.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Herd warnings, under {@code collapse.herd.*}.
 */
@ConfigurationProperties("collapse.herd")
public class CollapseHerdProperties {

	/**
	 * Callers one load may serve before a WARN line reports the herd. Silence the lines with the log level of dev.collapse.metrics.HerdWarningListener.
	 */
	private int warnThreshold = 100;

	/**
	 * Shortest time between two herd warnings about the same instance.
	 */
	private Duration warnInterval = Duration.ofMinutes(1);

	public int getWarnThreshold() {
		return this.warnThreshold;
	}

	public void setWarnThreshold(int warnThreshold) {
		this.warnThreshold = warnThreshold;
	}

	public Duration getWarnInterval() {
		return this.warnInterval;
	}

	public void setWarnInterval(Duration warnInterval) {
		this.warnInterval = warnInterval;
	}

}
