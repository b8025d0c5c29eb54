package dev.collapse.oauth2;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

/**
 * Where the newest access token of each (registration, principal) is kept. A token is a
 * credential: implementations never log it, and keep it no longer than it lives.
 */
public interface TokenStore {

	/** The newest token this node holds, without I/O; {@code null} if none. */
	@Nullable OAuth2AccessToken cached(String registrationId, String principalName);

	/**
	 * The newest token of the fleet for a shared store (one read of Redis, falling back to this
	 * node's copy when Redis fails), this node's copy otherwise.
	 */
	@Nullable OAuth2AccessToken read(String registrationId, String principalName);

	/** Keeps {@code token} unless a token that expires later is already kept. */
	void write(String registrationId, String principalName, OAuth2AccessToken token);

	/** Whether other nodes read what this store writes. */
	boolean shared();

	/** A store of this JVM only: each node fetches its own tokens. */
	static TokenStore inMemory() {
		return new NodeTokens();
	}

}
