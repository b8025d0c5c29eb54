package dev.collapse.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Client-credentials tokens of Spring Security's OAuth2 client, under {@code collapse.oauth2.client.*}.
 */
@ConfigurationProperties("collapse.oauth2.client")
public class CollapseOAuth2ClientProperties {

	/**
	 * Whether client-credentials tokens are fetched once per registration at a time, through the collapse instance oauth2-token.
	 */
	private boolean enabled = true;

	/**
	 * Whether tokens are shared by the fleet through Redis (needs collapse.redis.enabled). When false each node fetches its own.
	 */
	private boolean shareTokens = false;

	/**
	 * Margin before a token's expiry within which it is never served.
	 */
	private Duration clockSkew = Duration.ofSeconds(30);

	/**
	 * Window before the clock skew in which each node renews a token, at a uniform random point of its own.
	 */
	private Duration refreshWindow = Duration.ofSeconds(60);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isShareTokens() {
		return this.shareTokens;
	}

	public void setShareTokens(boolean shareTokens) {
		this.shareTokens = shareTokens;
	}

	public Duration getClockSkew() {
		return this.clockSkew;
	}

	public void setClockSkew(Duration clockSkew) {
		this.clockSkew = clockSkew;
	}

	public Duration getRefreshWindow() {
		return this.refreshWindow;
	}

	public void setRefreshWindow(Duration refreshWindow) {
		this.refreshWindow = refreshWindow;
	}

}
