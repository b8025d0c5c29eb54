package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.core.Collapser;
import dev.collapse.core.Keys;

/**
 * What the blocking and the reactive provider decide alike, without I/O: whether a call keeps,
 * serves or renews a token ({@link #begin}), the key of a renewal, which token counts as the
 * successor of the one replaced, and what a failed renewal leaves in service. The providers
 * differ only in how they wait for the collapse, the store and the authorization server:
 * {@link CollapsedClientCredentialsProvider} on the caller's thread,
 * {@link CollapsedReactiveClientCredentialsProvider} without holding it.
 */
final class TokenRenewals {

	private static final Log logger = LogFactory.getLog(TokenRenewals.class);

	final Collapser collapser;

	final TokenStore store;

	private final RefreshPoint refresh;

	/** The time tokens are judged by; replaced only by tests of this package, before any call. */
	private volatile Clock clock;

	/** @throws IllegalArgumentException if a margin is negative */
	TokenRenewals(Collapser collapser, TokenStore store, Duration clockSkew, Duration refreshWindow, Clock clock) {
		this.collapser = collapser;
		this.store = store;
		this.refresh = new RefreshPoint(clockSkew, refreshWindow, ThreadLocalRandom.current().nextLong());
		this.clock = clock;
	}

	/**
	 * Where a call stands before any I/O: nothing to do (another grant type, or the client's token
	 * is before this node's renewal point), a newer token of the store to serve, or a renewal of
	 * the newest token known here.
	 */
	Call begin(OAuth2AuthorizationContext context) {
		if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getClientRegistration().getAuthorizationGrantType())) {
			return new Call(false, null, null);
		}
		OAuth2AuthorizedClient current = context.getAuthorizedClient();
		OAuth2AccessToken held = (current != null) ? current.getAccessToken() : null;
		Instant now = this.clock.instant();
		if (held != null && now.isBefore(this.refresh.refreshAt(held))) {
			return new Call(false, held, held);
		}
		OAuth2AccessToken newest = newer(this.store.cached(registrationId(context), principal(context)), held);
		boolean serves = newest != held && newest != null && now.isBefore(this.refresh.refreshAt(newest));
		return new Call(!serves, held, newest);
	}

	/**
	 * Whether the newest token stays in service after its renewal failed with {@code ex}: while it
	 * is usable, with a WARN line that names the exception's class only (a message could quote
	 * what the server answered); otherwise the failure is the caller's.
	 */
	boolean servesThrough(OAuth2AuthorizationContext context, Call call, Throwable ex) {
		OAuth2AccessToken newest = call.newest();
		if (newest == null || !this.clock.instant().isBefore(this.refresh.usableUntil(newest))) {
			return false;
		}
		logger.warn("Renewing the token of registration '" + registrationId(context) + "' failed ("
				+ ex.getClass().getName() + "); the current token is served until its clock skew");
		return true;
	}

	/** The key of the renewal of the token that expires at {@code predecessor}: never the token. */
	Object key(OAuth2AuthorizationContext context, long predecessor) {
		return Keys.ofArguments(new Object[] { registrationId(context), principal(context), predecessor });
	}

	/** The instance of this JVM only through which every token request of the node goes. */
	String nodeInstance() {
		return this.store.shared() ? CollapsedClientCredentialsProvider.NODE_INSTANCE
				: CollapsedClientCredentialsProvider.INSTANCE;
	}

	/** {@code token} if it replaces the token that expires at {@code predecessor} and may be served now. */
	@Nullable OAuth2AccessToken successor(@Nullable OAuth2AccessToken token, long predecessor) {
		if (token == null || NodeTokens.expiry(token) <= predecessor
				|| !this.clock.instant().isBefore(this.refresh.usableUntil(token))) {
			return null;
		}
		return token;
	}

	/** This node's successor from its own copy, without I/O. */
	@Nullable OAuth2AccessToken cachedSuccessor(OAuth2AuthorizationContext context, long predecessor) {
		return successor(this.store.cached(registrationId(context), principal(context)), predecessor);
	}

	/** The fleet's successor: one read of a shared store (it blocks for at most its command timeout). */
	@Nullable OAuth2AccessToken readSuccessor(OAuth2AuthorizationContext context, long predecessor) {
		return successor(this.store.read(registrationId(context), principal(context)), predecessor);
	}

	/** The token the node's collapse settled, expiring at {@code fetched}, from this node's copy. */
	OAuth2AccessToken kept(OAuth2AuthorizationContext context, long fetched) {
		OAuth2AccessToken token = this.store.cached(registrationId(context), principal(context));
		if (token == null || NodeTokens.expiry(token) < fetched) {
			throw new IllegalStateException("The token store did not keep the token of registration '"
					+ registrationId(context) + "' it was given");
		}
		return token;
	}

	/** The token a fetcher gave, to be written to the store; a fetcher that gave none is a failed renewal. */
	static OAuth2AccessToken issued(OAuth2AuthorizationContext context, @Nullable OAuth2AuthorizedClient fetched) {
		if (fetched == null) {
			throw new IllegalStateException(
					"The token provider of registration '" + registrationId(context) + "' returned no authorized client");
		}
		return fetched.getAccessToken();
	}

	/** {@code context} without its authorized client, so that the fetcher asks whatever it thinks of the current token. */
	static OAuth2AuthorizationContext withoutClient(OAuth2AuthorizationContext context) {
		return OAuth2AuthorizationContext.withClientRegistration(context.getClientRegistration())
			.principal(context.getPrincipal())
			.attributes((attributes) -> attributes.putAll(context.getAttributes()))
			.build();
	}

	static OAuth2AuthorizedClient client(OAuth2AuthorizationContext context, OAuth2AccessToken token) {
		return new OAuth2AuthorizedClient(context.getClientRegistration(), principal(context), token);
	}

	static String registrationId(OAuth2AuthorizationContext context) {
		return context.getClientRegistration().getRegistrationId();
	}

	static String principal(OAuth2AuthorizationContext context) {
		return context.getPrincipal().getName();
	}

	private static @Nullable OAuth2AccessToken newer(@Nullable OAuth2AccessToken a, @Nullable OAuth2AccessToken b) {
		if (a == null) {
			return b;
		}
		return (b == null || NodeTokens.expiry(a) > NodeTokens.expiry(b)) ? a : b;
	}

	/** The instant from which this node renews {@code token}. */
	Instant refreshAt(OAuth2AccessToken token) {
		return this.refresh.refreshAt(token);
	}

	/** The first instant at which this node no longer serves {@code token}. */
	Instant usableUntil(OAuth2AccessToken token) {
		return this.refresh.usableUntil(token);
	}

	void clock(Clock clock) {
		this.clock = clock;
	}

	/**
	 * A call after {@link #begin}: whether it renews, the client's token ({@code held}) and the
	 * newest token known here, which a call that does not renew serves, and which a failed renewal
	 * keeps in service while {@link #servesThrough} says so.
	 */
	record Call(boolean renews, @Nullable OAuth2AccessToken held, @Nullable OAuth2AccessToken newest) {

		/** Expiry of the token a renewal replaces: {@code 0} when there is none. */
		long predecessor() {
			return NodeTokens.expiry(this.newest);
		}

		/** What the provider answers without a new token: {@code null} keeps the client's own. */
		@Nullable OAuth2AuthorizedClient current(OAuth2AuthorizationContext context) {
			return (this.newest == null || this.newest == this.held) ? null : client(context, this.newest);
		}

	}

}
