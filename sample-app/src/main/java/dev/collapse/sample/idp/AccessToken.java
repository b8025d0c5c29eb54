package dev.collapse.sample.idp;

import java.time.Instant;

import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * A bearer token of the identity provider. {@link #toString()} hides the value, so that a token
 * logged by accident leaks nothing.
 */
public record AccessToken(String value, Instant expiresAt) {

	static AccessToken of(OAuth2AccessToken token) {
		return new AccessToken(token.getTokenValue(), token.getExpiresAt());
	}

	/** Whether the token is still valid at {@code now}. */
	public boolean validAt(Instant now) {
		return now.isBefore(this.expiresAt);
	}

	@Override
	public String toString() {
		return "AccessToken[value=<hidden>, expiresAt=" + this.expiresAt + "]";
	}

}
