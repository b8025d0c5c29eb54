package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.core.Collapser;
import dev.collapse.core.Keys;

/**
 * An {@link OAuth2AuthorizedClientProvider} for {@code client_credentials} registrations that asks
 * the authorization server for one token per (registration, principal) at a time: in this JVM,
 * and in the fleet when its {@link TokenStore} is shared. Other grant types are not supported
 * (it returns {@code null}, as the contract asks), so it composes in a
 * {@code DelegatingOAuth2AuthorizedClientProvider}.
 *
 * <p>Each node renews a token at its own random point of the refresh window before the token's
 * expiry ({@code collapse.oauth2.client.refresh-window}), and never serves one within the clock
 * skew of its expiry. A renewal is collapsed through the instance {@value #INSTANCE} on the key
 * (registration id, principal name, expiry of the token it replaces): callers that replace the
 * same token share one request, and a caller that comes after the renewal finds the successor
 * in the store instead of asking again. Every request of a node goes through a collapse of this
 * JVM on the same key ({@value #NODE_INSTANCE} with a shared store), so that a node asks at most once
 * per renewal even when the shared store fails or does not take the token. The value collapsed is the
 * successor's expiry, never the token: a token travels only through the store. A failed renewal keeps serving the current token
 * while it is usable, and fails the callers once it is not.
 */
public final class CollapsedClientCredentialsProvider implements OAuth2AuthorizedClientProvider {

	/** Name of the collapse instance: its meters count token requests, {@code collapse.instances.oauth2-token.*} tunes it. */
	public static final String INSTANCE = "oauth2-token";

	/**
	 * Name of the collapse instance, of this JVM only, through which a node with a shared store
	 * sends its token requests: one per node per renewal even when the shared store fails.
	 */
	static final String NODE_INSTANCE = "oauth2-token-node";

	private static final Log logger = LogFactory.getLog(CollapsedClientCredentialsProvider.class);

	private final Collapser collapser;

	private final TokenStore store;

	private final OAuth2AuthorizedClientProvider fetcher;

	private final RefreshPoint refresh;

	/** The time tokens are judged by; replaced only by tests of this package, before any call. */
	private volatile Clock clock;

	/**
	 * @param collapser the collapser renewals go through
	 * @param store where tokens are kept: {@link TokenStore#inMemory()} for this node only
	 * @param fetcher the provider that asks the authorization server, called without an authorized
	 * client so that it always asks; usually a {@link ClientCredentialsOAuth2AuthorizedClientProvider}
	 * @param clockSkew no token is served when it expires within this margin
	 * @param refreshWindow renewals fall at a uniform random point of this window before the skew
	 * @param clock the time tokens are judged by
	 */
	public CollapsedClientCredentialsProvider(Collapser collapser, TokenStore store,
			OAuth2AuthorizedClientProvider fetcher, Duration clockSkew, Duration refreshWindow, Clock clock) {
		this.collapser = collapser;
		this.store = store;
		this.fetcher = fetcher;
		this.refresh = new RefreshPoint(clockSkew, refreshWindow, ThreadLocalRandom.current().nextLong());
		this.clock = clock;
	}

	@Override
	public @Nullable OAuth2AuthorizedClient authorize(OAuth2AuthorizationContext context) {
		ClientRegistration registration = context.getClientRegistration();
		if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(registration.getAuthorizationGrantType())) {
			return null;
		}
		String registrationId = registration.getRegistrationId();
		String principal = context.getPrincipal().getName();
		OAuth2AuthorizedClient current = context.getAuthorizedClient();
		OAuth2AccessToken held = (current != null) ? current.getAccessToken() : null;
		Instant now = this.clock.instant();
		if (held != null && now.isBefore(this.refresh.refreshAt(held))) {
			return null;
		}
		OAuth2AccessToken newest = newer(this.store.cached(registrationId, principal), held);
		if (newest != held && newest != null && now.isBefore(this.refresh.refreshAt(newest))) {
			return client(context, newest);
		}
		OAuth2AccessToken successor;
		try {
			successor = renew(context, NodeTokens.expiry(newest));
		}
		catch (RuntimeException ex) {
			if (newest != null && this.clock.instant().isBefore(this.refresh.usableUntil(newest))) {
				// the class only: a message could quote what the server answered
				logger.warn("Renewing the token of registration '" + registrationId + "' failed ("
						+ ex.getClass().getName() + "); the current token is served until its clock skew");
				return (newest == held) ? null : client(context, newest);
			}
			throw ex;
		}
		return client(context, successor);
	}

	/** The successor of the token that expires at {@code predecessor} (0: no token), fetched once for all. */
	private OAuth2AccessToken renew(OAuth2AuthorizationContext context, long predecessor) {
		String registrationId = context.getClientRegistration().getRegistrationId();
		String principal = context.getPrincipal().getName();
		Object key = Keys.ofArguments(new Object[] { registrationId, principal, predecessor });
		if (this.store.shared()) {
			this.collapser.collapse(INSTANCE, key, Long.class, () -> load(context, key, predecessor));
			OAuth2AccessToken successor = successor(this.store.cached(registrationId, principal), predecessor);
			if (successor == null) {
				// a remote leader fetched it: it is in the shared store
				successor = successor(this.store.read(registrationId, principal), predecessor);
			}
			if (successor != null) {
				return successor;
			}
			// the shared store failed after a remote renewal, or does not take this token (not a
			// bearer token): this node asks once for all its callers
		}
		return fetchOnce(context, key, predecessor);
	}

	/** The fleet leader's load: the store's successor if another node or an earlier flight renewed, else a request. */
	private Long load(OAuth2AuthorizationContext context, Object key, long predecessor) {
		String registrationId = context.getClientRegistration().getRegistrationId();
		String principal = context.getPrincipal().getName();
		OAuth2AccessToken successor = successor(this.store.read(registrationId, principal), predecessor);
		return NodeTokens.expiry((successor != null) ? successor : fetchOnce(context, key, predecessor));
	}

	/**
	 * The successor from this node's copy, else one request for all the callers of this JVM (a
	 * collapse of this JVM only, {@link #NODE_INSTANCE} with a shared store): every request of a
	 * node goes through it, so a node asks at most once per renewal whatever the shared store does.
	 */
	private OAuth2AccessToken fetchOnce(OAuth2AuthorizationContext context, Object key, long predecessor) {
		String registrationId = context.getClientRegistration().getRegistrationId();
		String principal = context.getPrincipal().getName();
		long fetched = this.collapser.collapse(this.store.shared() ? NODE_INSTANCE : INSTANCE, key, () -> {
			OAuth2AccessToken kept = successor(this.store.cached(registrationId, principal), predecessor);
			return NodeTokens.expiry((kept != null) ? kept : fetch(context));
		});
		OAuth2AccessToken token = this.store.cached(registrationId, principal);
		if (token == null || NodeTokens.expiry(token) < fetched) {
			throw new IllegalStateException(
					"The token store did not keep the token of registration '" + registrationId + "' it was given");
		}
		return token;
	}

	private OAuth2AccessToken fetch(OAuth2AuthorizationContext context) {
		// without the authorized client, so that the fetcher asks whatever it thinks of the current token
		OAuth2AuthorizationContext fresh = OAuth2AuthorizationContext.withClientRegistration(context.getClientRegistration())
			.principal(context.getPrincipal())
			.attributes((attributes) -> attributes.putAll(context.getAttributes()))
			.build();
		OAuth2AuthorizedClient fetched = this.fetcher.authorize(fresh);
		if (fetched == null) {
			throw new IllegalStateException("The token provider of registration '"
					+ context.getClientRegistration().getRegistrationId() + "' returned no authorized client");
		}
		OAuth2AccessToken token = fetched.getAccessToken();
		this.store.write(context.getClientRegistration().getRegistrationId(), context.getPrincipal().getName(), token);
		return token;
	}

	/** {@code token} if it replaces the token that expires at {@code predecessor} and may be served now. */
	private @Nullable OAuth2AccessToken successor(@Nullable OAuth2AccessToken token, long predecessor) {
		if (token == null || NodeTokens.expiry(token) <= predecessor
				|| !this.clock.instant().isBefore(this.refresh.usableUntil(token))) {
			return null;
		}
		return token;
	}

	private static @Nullable OAuth2AccessToken newer(@Nullable OAuth2AccessToken a, @Nullable OAuth2AccessToken b) {
		if (a == null) {
			return b;
		}
		return (b == null || NodeTokens.expiry(a) > NodeTokens.expiry(b)) ? a : b;
	}

	private static OAuth2AuthorizedClient client(OAuth2AuthorizationContext context, OAuth2AccessToken token) {
		return new OAuth2AuthorizedClient(context.getClientRegistration(), context.getPrincipal().getName(), token);
	}

	/** The instant from which this node renews {@code token}; for tests. */
	Instant refreshAt(OAuth2AccessToken token) {
		return this.refresh.refreshAt(token);
	}

	/** The first instant at which this node no longer serves {@code token}; for tests. */
	Instant usableUntil(OAuth2AccessToken token) {
		return this.refresh.usableUntil(token);
	}

	void clock(Clock clock) {
		this.clock = clock;
	}

}
