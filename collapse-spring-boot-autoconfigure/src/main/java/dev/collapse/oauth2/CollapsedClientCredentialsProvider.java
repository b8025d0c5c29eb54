package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.core.Collapser;

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

	private final TokenRenewals renewals;

	private final OAuth2AuthorizedClientProvider fetcher;

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
		this.renewals = new TokenRenewals(collapser, store, clockSkew, refreshWindow, clock);
		this.fetcher = fetcher;
	}

	@Override
	public @Nullable OAuth2AuthorizedClient authorize(OAuth2AuthorizationContext context) {
		TokenRenewals.Call call = this.renewals.begin(context);
		if (!call.renews()) {
			return call.current(context);
		}
		OAuth2AccessToken successor;
		try {
			successor = renew(context, call.predecessor());
		}
		catch (RuntimeException ex) {
			if (!this.renewals.servesThrough(context, call, ex)) {
				throw ex;
			}
			return call.current(context);
		}
		return TokenRenewals.client(context, successor);
	}

	/** The successor of the token that expires at {@code predecessor} (0: no token), fetched once for all. */
	private OAuth2AccessToken renew(OAuth2AuthorizationContext context, long predecessor) {
		Object key = this.renewals.key(context, predecessor);
		if (this.renewals.store.shared()) {
			this.renewals.collapser.collapse(INSTANCE, key, Long.class, () -> load(context, key, predecessor));
			OAuth2AccessToken successor = this.renewals.cachedSuccessor(context, predecessor);
			if (successor == null) {
				// a remote leader fetched it: it is in the shared store
				successor = this.renewals.readSuccessor(context, predecessor);
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
		OAuth2AccessToken successor = this.renewals.readSuccessor(context, predecessor);
		return NodeTokens.expiry((successor != null) ? successor : fetchOnce(context, key, predecessor));
	}

	/**
	 * The successor from this node's copy, else one request for all the callers of this JVM (a
	 * collapse of this JVM only, {@link #NODE_INSTANCE} with a shared store): every request of a
	 * node goes through it, so a node asks at most once per renewal whatever the shared store does.
	 */
	private OAuth2AccessToken fetchOnce(OAuth2AuthorizationContext context, Object key, long predecessor) {
		long fetched = this.renewals.collapser.collapse(this.renewals.nodeInstance(), key, () -> {
			OAuth2AccessToken kept = this.renewals.cachedSuccessor(context, predecessor);
			return NodeTokens.expiry((kept != null) ? kept : fetch(context));
		});
		return this.renewals.kept(context, fetched);
	}

	private OAuth2AccessToken fetch(OAuth2AuthorizationContext context) {
		OAuth2AccessToken token = TokenRenewals.issued(context, this.fetcher.authorize(TokenRenewals.withoutClient(context)));
		this.renewals.store.write(TokenRenewals.registrationId(context), TokenRenewals.principal(context), token);
		return token;
	}

	/** The renewal points and margins of this provider, and its clock; for tests. */
	TokenRenewals renewals() {
		return this.renewals;
	}

}
