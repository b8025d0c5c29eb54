package dev.collapse.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code collapse} actuator endpoint, under {@code management.endpoint.collapse.*} where Spring
 * Boot keeps the options of its own endpoints. The former {@code collapse.endpoint.*} names are
 * listed as removed in the configuration metadata, with these as replacements.
 */
@ConfigurationProperties("management.endpoint.collapse")
public class CollapseEndpointProperties {

	/**
	 * Whether herds show their keys as text. By default only a short SHA-256 of each key is shown, since keys may be personal data.
	 */
	private boolean showKeys = false;

	/**
	 * Largest recent herds kept per instance.
	 */
	private int herds = 10;

	/**
	 * How long a herd stays among the largest recent herds.
	 */
	private Duration herdWindow = Duration.ofHours(1);

	public boolean isShowKeys() {
		return this.showKeys;
	}

	public void setShowKeys(boolean showKeys) {
		this.showKeys = showKeys;
	}

	public int getHerds() {
		return this.herds;
	}

	public void setHerds(int herds) {
		this.herds = herds;
	}

	public Duration getHerdWindow() {
		return this.herdWindow;
	}

	public void setHerdWindow(Duration herdWindow) {
		this.herdWindow = herdWindow;
	}

}
