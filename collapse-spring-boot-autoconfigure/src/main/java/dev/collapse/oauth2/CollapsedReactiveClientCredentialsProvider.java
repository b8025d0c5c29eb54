package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.client.ClientCredentialsReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizationContext;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.core.OAuth2AccessToken;

import dev.collapse.core.Collapser;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * The reactive form of {@link CollapsedClientCredentialsProvider}: a
 * {@link ReactiveOAuth2AuthorizedClientProvider} for {@code client_credentials} registrations,
 * for WebFlux applications and {@code WebClient}'s OAuth2 filter, with the same guarantees. One
 * token request per (registration, principal, expiry of the token replaced) at a time, in this
 * JVM and, with a shared {@link TokenStore}, in the fleet; each node renews at its own point of
 * the refresh window and never serves a token within the clock skew of its expiry; a failed
 * renewal keeps the current token in service while it is usable. The same collapse instances
 * ({@value CollapsedClientCredentialsProvider#INSTANCE}, {@code oauth2-token-node}) and the same
 * keys are used, so a node that has both providers asks once for both. Other grant types get an
 * empty {@code Mono}, so it composes in a {@code DelegatingReactiveOAuth2AuthorizedClientProvider}.
 *
 * <p>Nothing here blocks the subscribing thread, a Netty event loop say: renewals go through
 * {@link Collapser#collapseAsync}, whose followers wait on a future, the token is asked for by
 * the reactive {@code fetcher}, and every call of a shared store (one Redis command, blocking for
 * at most its command timeout) runs on {@link Schedulers#boundedElastic()}. A caller's
 * {@code Mono} may therefore complete on a thread of that scheduler, of the fetcher's client, or
 * of collapse ({@code collapse-exec-N}); a store of this node only is a map, read and written
 * where the caller is. The subscriber's Reactor context reaches the fetcher of the call that
 * leads the renewal.
 */
public final class CollapsedReactiveClientCredentialsProvider implements ReactiveOAuth2AuthorizedClientProvider {

	private final TokenRenewals renewals;

	private final ReactiveOAuth2AuthorizedClientProvider fetcher;

	/**
	 * The arguments of the blocking provider's constructor, with a reactive {@code fetcher}: usually
	 * a {@link ClientCredentialsReactiveOAuth2AuthorizedClientProvider}, called without an authorized
	 * client so that it always asks.
	 */
	public CollapsedReactiveClientCredentialsProvider(Collapser collapser, TokenStore store,
			ReactiveOAuth2AuthorizedClientProvider fetcher, Duration clockSkew, Duration refreshWindow, Clock clock) {
		this.renewals = new TokenRenewals(collapser, store, clockSkew, refreshWindow, clock);
		this.fetcher = fetcher;
	}

	@Override
	public Mono<OAuth2AuthorizedClient> authorize(OAuth2AuthorizationContext context) {
		return Mono.deferContextual((subscriber) -> {
			TokenRenewals.Call call = this.renewals.begin(context);
			if (!call.renews()) {
				return Mono.justOrEmpty(call.current(context));
			}
			return renew(context, call.predecessor(), subscriber)
				.map((successor) -> TokenRenewals.client(context, successor))
				.onErrorResume(RuntimeException.class, (ex) -> this.renewals.servesThrough(context, call, ex)
						? Mono.justOrEmpty(call.current(context)) : Mono.error(ex));
		});
	}

	/** The successor of the token that expires at {@code predecessor} (0: no token), fetched once for all. */
	private Mono<OAuth2AccessToken> renew(OAuth2AuthorizationContext context, long predecessor, ContextView subscriber) {
		Object key = this.renewals.key(context, predecessor);
		if (!this.renewals.store.shared()) {
			return fetchOnce(context, key, predecessor, subscriber);
		}
		Mono<Long> fleet = Mono.fromFuture(() -> this.renewals.collapser.collapseAsync(
				CollapsedClientCredentialsProvider.INSTANCE, key, Long.class,
				() -> load(context, key, predecessor, subscriber).toFuture()));
		// after the fleet's renewal: this node's copy, else the shared store (a remote leader
		// fetched it), else, if the shared store failed or does not take this token (not a bearer
		// token), one request of this node for all its callers
		return fleet.then(Mono.fromCallable(() -> this.renewals.cachedSuccessor(context, predecessor)))
			.switchIfEmpty(store(() -> this.renewals.readSuccessor(context, predecessor)))
			.switchIfEmpty(Mono.defer(() -> fetchOnce(context, key, predecessor, subscriber)));
	}

	/** The fleet leader's load: the store's successor if another node or an earlier flight renewed, else a request. */
	private Mono<Long> load(OAuth2AuthorizationContext context, Object key, long predecessor, ContextView subscriber) {
		return store(() -> this.renewals.readSuccessor(context, predecessor))
			.switchIfEmpty(Mono.defer(() -> fetchOnce(context, key, predecessor, subscriber)))
			.map(NodeTokens::expiry);
	}

	/**
	 * The successor from this node's copy, else one request for all the callers of this JVM, as
	 * {@link CollapsedClientCredentialsProvider} does it: a node asks at most once per renewal
	 * whatever the shared store does.
	 */
	private Mono<OAuth2AccessToken> fetchOnce(OAuth2AuthorizationContext context, Object key, long predecessor,
			ContextView subscriber) {
		return Mono
			.fromFuture(() -> this.renewals.collapser.collapseAsync(this.renewals.nodeInstance(), key,
					() -> Mono.fromCallable(() -> this.renewals.cachedSuccessor(context, predecessor))
						.switchIfEmpty(Mono.defer(() -> fetch(context)))
						.map(NodeTokens::expiry)
						.contextWrite(subscriber)
						.toFuture()))
			.map((fetched) -> this.renewals.kept(context, fetched));
	}

	private Mono<OAuth2AccessToken> fetch(OAuth2AuthorizationContext context) {
		return this.fetcher.authorize(TokenRenewals.withoutClient(context))
			.singleOptional()
			.map((fetched) -> TokenRenewals.issued(context, fetched.orElse(null)))
			.flatMap((token) -> store(() -> {
				this.renewals.store.write(TokenRenewals.registrationId(context), TokenRenewals.principal(context),
						token);
				return token;
			}));
	}

	/**
	 * {@code work} on the store: on {@link Schedulers#boundedElastic()} for a shared store, whose
	 * reads and writes block on Redis; where the caller is for a store of this node, a map.
	 */
	private <T> Mono<T> store(Callable<@Nullable T> work) {
		Mono<T> mono = Mono.fromCallable(work);
		return this.renewals.store.shared() ? mono.subscribeOn(Schedulers.boundedElastic()) : mono;
	}

	/** The renewal points and margins of this provider, and its clock; for tests. */
	TokenRenewals renewals() {
		return this.renewals;
	}

}
