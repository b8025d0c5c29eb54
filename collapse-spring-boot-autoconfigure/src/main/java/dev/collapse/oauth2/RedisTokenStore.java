package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * Tokens shared by the fleet through Redis, one string key per (registration, principal) under
 * the collapse key prefix ({@code <prefix>oauth2-token:<length of the registration id>:<registration id>:<principal>}),
 * written with a time to live that ends when the token expires: Redis never holds a dead token.
 * This node keeps its own copy too, which serves while Redis fails. Only bearer tokens are shared:
 * a token of another type (DPoP, bound to the key of the node that asked) stays on this node. What protects the token in
 * Redis is Redis's own: an ACL that grants only the prefix, TLS ({@code spring.data.redis.ssl}),
 * and a network only the fleet reaches.
 */
public final class RedisTokenStore implements TokenStore {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	/** First line of an entry: the layout below; another one is read as no entry. */
	private static final String FORMAT = "t1";

	private final NodeTokens node = new NodeTokens();

	private final StringRedisTemplate redis;

	private final String prefix;

	private final Clock clock;

	public RedisTokenStore(StringRedisTemplate redis, String keyPrefix, Clock clock) {
		this.redis = redis;
		this.prefix = keyPrefix + "oauth2-token:";
		this.clock = clock;
	}

	@Override
	public @Nullable OAuth2AccessToken cached(String registrationId, String principalName) {
		return this.node.cached(registrationId, principalName);
	}

	@Override
	public @Nullable OAuth2AccessToken read(String registrationId, String principalName) {
		try {
			OAuth2AccessToken shared = decode(this.redis.opsForValue().get(key(registrationId, principalName)));
			if (shared != null) {
				this.node.write(registrationId, principalName, shared);
			}
		}
		catch (RuntimeException ex) {
			failed("read", registrationId, ex);
		}
		return this.node.cached(registrationId, principalName);
	}

	@Override
	public void write(String registrationId, String principalName, OAuth2AccessToken token) {
		this.node.write(registrationId, principalName, token);
		Instant expiresAt = token.getExpiresAt();
		if (expiresAt == null || !shareable(token)) {
			return;
		}
		Duration ttl = Duration.between(this.clock.instant(), expiresAt);
		if (ttl.toMillis() <= 0) {
			return;
		}
		try {
			this.redis.opsForValue().set(key(registrationId, principalName), encode(token), ttl);
		}
		catch (RuntimeException ex) {
			failed("write", registrationId, ex);
		}
	}

	@Override
	public boolean shared() {
		return true;
	}

	/**
	 * Whether {@code token} may go to Redis: bearer tokens only. Any other type (DPoP) is bound to
	 * the key of the node that asked for it, so no other node could use it: it stays on this node.
	 */
	static boolean shareable(OAuth2AccessToken token) {
		return OAuth2AccessToken.TokenType.BEARER.getValue().equalsIgnoreCase(token.getTokenType().getValue());
	}

	/** The Redis key of a token; the length of the id keeps ("a:b", "c") and ("a", "b:c") apart. */
	String key(String registrationId, String principalName) {
		return this.prefix + registrationId.length() + ":" + registrationId + ":" + principalName;
	}

	private static void failed(String what, String registrationId, RuntimeException ex) {
		// the class only: nothing of an entry reaches a log line
		logger.warn("Could not " + what + " the shared token of registration '" + registrationId + "' in Redis ("
				+ ex.getClass().getName() + "); this node uses its own copy");
	}

	// --- Entry layout, one field a line, the token last: format, type, issued at and expires at
	// (epoch ms, empty if absent), scopes (space separated), token value.

	static String encode(OAuth2AccessToken token) {
		return String.join("\n", FORMAT, token.getTokenType().getValue(), millis(token.getIssuedAt()),
				millis(token.getExpiresAt()), String.join(" ", token.getScopes()), token.getTokenValue());
	}

	static @Nullable OAuth2AccessToken decode(@Nullable String entry) {
		if (entry == null) {
			return null;
		}
		String[] fields = entry.split("\n", 6);
		if (fields.length != 6 || !FORMAT.equals(fields[0])
				|| !OAuth2AccessToken.TokenType.BEARER.getValue().equalsIgnoreCase(fields[1])) {
			return null;
		}
		Set<String> scopes = fields[4].isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(fields[4].split(" ")));
		try {
			return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, fields[5], instant(fields[2]),
					instant(fields[3]), scopes);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static String millis(@Nullable Instant instant) {
		return (instant != null) ? Long.toString(instant.toEpochMilli()) : "";
	}

	private static @Nullable Instant instant(String millis) {
		return millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
	}

}
