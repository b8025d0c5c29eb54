package dev.collapse.oauth2;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * The tokens of this JVM, by (registration, principal): the newest one wins, so that a late
 * writer never replaces a token with an older one.
 */
class NodeTokens implements TokenStore {

	private final Map<TokenId, OAuth2AccessToken> tokens = new ConcurrentHashMap<>();

	@Override
	public @Nullable OAuth2AccessToken cached(String registrationId, String principalName) {
		return this.tokens.get(new TokenId(registrationId, principalName));
	}

	@Override
	public @Nullable OAuth2AccessToken read(String registrationId, String principalName) {
		return cached(registrationId, principalName);
	}

	@Override
	public void write(String registrationId, String principalName, OAuth2AccessToken token) {
		this.tokens.merge(new TokenId(registrationId, principalName), token,
				(kept, offered) -> (expiry(offered) > expiry(kept)) ? offered : kept);
	}

	@Override
	public boolean shared() {
		return false;
	}

	/** Expiry in epoch milliseconds; {@code 0} for a token without one (it is never fresh). */
	static long expiry(@Nullable OAuth2AccessToken token) {
		Instant expiresAt = (token != null) ? token.getExpiresAt() : null;
		return (expiresAt != null) ? expiresAt.toEpochMilli() : 0;
	}

	private record TokenId(String registrationId, String principalName) {
	}

}
