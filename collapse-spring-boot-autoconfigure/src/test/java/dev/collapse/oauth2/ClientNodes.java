package dev.collapse.oauth2;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisProperties;
import reactor.core.scheduler.NonBlocking;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.awaitility.Awaitility.await;

/**
 * Client applications of the {@link AuthorizationServer}, each its own Spring Boot context with
 * Spring Security's OAuth2 client and one client_credentials registration ({@value #REGISTRATION}),
 * optionally all on one Redis: a fleet of services sharing one machine-to-machine token.
 */
final class ClientNodes implements AutoCloseable {

	static final String REGISTRATION = "orders";

	final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";

	final TestClock clock = new TestClock();

	/** How the callers of the nodes ask for a token. */
	final Stack stack;

	private final AuthorizationServer server;

	private ClientNodes(Stack stack, AuthorizationServer server) {
		this.stack = stack;
		this.server = server;
	}

	/** {@code size} nodes whose callers use the blocking manager; with {@code redis}, collapse across them through it. */
	static ClientNodes start(int size, AuthorizationServer server, RedisProperties redis, String... properties) {
		return start(Stack.SERVLET, size, server, redis, properties);
	}

	/** {@code size} nodes whose callers use {@code stack}; with {@code redis}, collapse across them through it. */
	static ClientNodes start(Stack stack, int size, AuthorizationServer server, RedisProperties redis,
			String... properties) {
		ClientNodes fleet = new ClientNodes(stack, server);
		try {
			for (int i = 0; i < size; i++) {
				List<String> all = new ArrayList<>();
				String registration = "spring.security.oauth2.client.registration." + REGISTRATION + ".";
				all.addAll(List.of("spring.main.banner-mode=off", registration + "client-id=" + AuthorizationServer.CLIENT_ID,
						registration + "client-secret=" + AuthorizationServer.CLIENT_SECRET,
						registration + "authorization-grant-type=client_credentials", registration + "provider=test",
						registration + "scope=orders.read",
						"spring.security.oauth2.client.provider.test.token-uri=" + server.tokenUri(),
						"collapse.defaults.wait-timeout=20s", "logging.level.dev.collapse=TRACE"));
				if (redis != null) {
					all.addAll(List.of(redis.properties()));
					all.addAll(List.of("collapse.redis.enabled=true", "collapse.redis.key-prefix=" + fleet.prefix,
							"collapse.redis.lease=5s"));
				}
				all.addAll(List.of(properties));
				ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
					.web(WebApplicationType.NONE)
					.properties(all.toArray(String[]::new))
					.run();
				fleet.nodes.add(context);
				context.getBeanProvider(CollapsedClientCredentialsProvider.class)
					.ifAvailable((provider) -> provider.renewals().clock(fleet.clock));
				context.getBeanProvider(CollapsedReactiveClientCredentialsProvider.class)
					.ifAvailable((provider) -> provider.renewals().clock(fleet.clock));
				context.getBeanProvider(ClientCredentialsReactiveOAuth2AuthorizedClientProvider.class)
					.ifAvailable((provider) -> provider.setClock(fleet.clock));
				context.getBeanProvider(RedisDistributedLayer.class)
					.ifAvailable((layer) -> await().atMost(Duration.ofSeconds(10))
						.until(() -> layer.available() && layer.subscribed()));
			}
			return fleet;
		}
		catch (RuntimeException | Error ex) {
			fleet.close();
			throw ex;
		}
	}

	/** The renewal points, margins and clock of the provider of the stack on {@code node}. */
	TokenRenewals renewals(int node) {
		ConfigurableApplicationContext context = this.nodes.get(node);
		return (this.stack == Stack.REACTIVE) ? context.getBean(CollapsedReactiveClientCredentialsProvider.class).renewals()
				: context.getBean(CollapsedClientCredentialsProvider.class).renewals();
	}

	/** One token, as a service asks for it before a call; the failure of the reactive manager as it is. */
	OAuth2AccessToken token(int node) {
		if (this.stack == Stack.SERVLET) {
			return this.nodes.get(node).getBean(OAuth2AuthorizedClientManager.class).authorize(request()).getAccessToken();
		}
		try {
			return subscribe(node).join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException failure) ? failure : ex;
		}
	}

	/** The reactive manager's token, subscribed on this thread: the future completes where the Mono does. */
	private CompletableFuture<OAuth2AccessToken> subscribe(int node) {
		return this.nodes.get(node)
			.getBean(ReactiveOAuth2AuthorizedClientManager.class)
			.authorize(request())
			.map(OAuth2AuthorizedClient::getAccessToken)
			.toFuture();
	}

	private static OAuth2AuthorizeRequest request() {
		return OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION).principal("orders-service").build();
	}

	/**
	 * {@code callersPerNode} callers on every node, released together by one latch; returns the
	 * distinct token values they got. Reactive callers subscribe on threads that Reactor takes for
	 * event loops ({@link NonBlocking}), while the authorization server holds every token request:
	 * each caller's thread must be free again before any token is issued, so a caller that waited
	 * for the token, the collapse or the store on its thread fails the herd.
	 */
	Set<String> herd(int callersPerNode) throws Exception {
		int callers = callersPerNode * this.nodes.size();
		boolean reactive = this.stack == Stack.REACTIVE;
		ExecutorService pool = Executors.newFixedThreadPool(callers,
				reactive ? NonBlockingThread::new : Executors.defaultThreadFactory());
		try {
			CountDownLatch ready = new CountDownLatch(callers);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<CompletableFuture<OAuth2AccessToken>>> subscribed = new ArrayList<>();
			for (int node = 0; node < this.nodes.size(); node++) {
				int n = node;
				for (int i = 0; i < callersPerNode; i++) {
					subscribed.add(pool.submit(() -> {
						ready.countDown();
						go.await();
						return reactive ? subscribe(n) : CompletableFuture.completedFuture(token(n));
					}));
				}
			}
			ready.await(30, TimeUnit.SECONDS);
			List<CompletableFuture<OAuth2AccessToken>> tokens = new ArrayList<>();
			if (reactive) {
				this.server.holding(true);
			}
			try {
				go.countDown();
				for (Future<CompletableFuture<OAuth2AccessToken>> caller : subscribed) {
					// while the server holds the requests, a caller that waits on its thread times out here
					tokens.add(caller.get(reactive ? 10 : 60, TimeUnit.SECONDS));
				}
			}
			finally {
				this.server.holding(false);
			}
			Set<String> values = ConcurrentHashMap.newKeySet();
			for (CompletableFuture<OAuth2AccessToken> token : tokens) {
				values.add(token.get(60, TimeUnit.SECONDS).getTokenValue());
			}
			return values;
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** Calls of the nodes' shared stores (Redis I/O) made so far on threads that must not block. */
	int storeCallsOnNonBlockingThreads() {
		int calls = 0;
		for (ConfigurableApplicationContext context : this.nodes) {
			calls += ((WatchedStore) context.getBean(TokenStore.class)).onNonBlockingThreads().get();
		}
		return calls;
	}

	@Override
	public void close() {
		for (ConfigurableApplicationContext context : this.nodes) {
			try {
				context.close();
			}
			catch (RuntimeException ex) {
				// close the others anyway
			}
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		/** Spring Security's own manager, as an application without collapse's would declare it. */
		@Bean
		@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.enabled", havingValue = false)
		OAuth2AuthorizedClientManager plainManager(ClientRegistrationRepository registrations,
				OAuth2AuthorizedClientService clients,
				OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> tokens) {
			AuthorizedClientServiceOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(
					registrations, clients);
			manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
				.clientCredentials((credentials) -> credentials.accessTokenResponseClient(tokens))
				.build());
			return manager;
		}

		/**
		 * Spring Security's blocking token client on the JDK's HTTP client, read timeout 60 s. Left
		 * to itself it picks Reactor Netty once that is on the class path (for the reactive tests),
		 * whose 10 s read timeout a herd of 40 signed tokens outlasted on a loaded machine.
		 */
		@Bean
		@ConditionalOnBooleanProperty(name = "test.token-type.dpop", havingValue = false, matchIfMissing = true)
		OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> blockingTokens() {
			return blockingTokenClient();
		}

		static RestClientClientCredentialsTokenResponseClient blockingTokenClient() {
			JdkClientHttpRequestFactory http = new JdkClientHttpRequestFactory();
			http.setReadTimeout(Duration.ofSeconds(60));
			RestClientClientCredentialsTokenResponseClient tokens = new RestClientClientCredentialsTokenResponseClient();
			tokens.setRestClient(RestClient.builder()
				.requestFactory(http)
				.messageConverters((converters) -> {
					converters.clear();
					converters.add(new FormHttpMessageConverter());
					converters.add(new OAuth2AccessTokenResponseHttpMessageConverter());
				})
				.defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
				.build());
			return tokens;
		}

		/** Spring Security's own reactive manager and provider, as an application without collapse's would declare them. */
		@Bean
		@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.enabled", havingValue = false)
		ClientCredentialsReactiveOAuth2AuthorizedClientProvider plainReactiveProvider(
				ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> tokens) {
			ClientCredentialsReactiveOAuth2AuthorizedClientProvider provider = new ClientCredentialsReactiveOAuth2AuthorizedClientProvider();
			provider.setAccessTokenResponseClient(tokens);
			return provider;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.enabled", havingValue = false)
		ReactiveOAuth2AuthorizedClientManager plainReactiveManager(ReactiveClientRegistrationRepository registrations,
				ReactiveOAuth2AuthorizedClientService clients, ClientCredentialsReactiveOAuth2AuthorizedClientProvider provider) {
			AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(
					registrations, clients);
			manager.setAuthorizedClientProvider(provider);
			return manager;
		}

		/**
		 * Spring Security's reactive token client on Reactor Netty, with a connection pool that
		 * takes a herd: the default one refuses more than 48 requests waiting at once.
		 */
		@Bean
		ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> reactiveTokens(
				ConnectionProvider connections) {
			WebClientReactiveClientCredentialsTokenResponseClient tokens = new WebClientReactiveClientCredentialsTokenResponseClient();
			tokens.setWebClient(WebClient.builder()
				.clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
				.build());
			return tokens;
		}

		@Bean(destroyMethod = "dispose")
		ConnectionProvider tokenConnections() {
			return ConnectionProvider.builder("token-herd").maxConnections(256).pendingAcquireMaxCount(-1).build();
		}

		/**
		 * Every store watched for calls of a shared store (they block on Redis) made on threads that
		 * must not block; with {@code test.token-store.reads-fail}, a shared store whose reads fail, as
		 * RedisTokenStore answers then: this node's own copy.
		 */
		@Bean
		static BeanPostProcessor watchedStore(Environment environment) {
			boolean readsFail = environment.getProperty("test.token-store.reads-fail", Boolean.class, false);
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					return (bean instanceof TokenStore store) ? new WatchedStore(store, readsFail, new AtomicInteger())
							: bean;
				}
			};
		}

		/** The real server's answers, given as DPoP tokens. */
		@Bean
		@ConditionalOnBooleanProperty("test.token-type.dpop")
		OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> dpopTokens() {
			RestClientClientCredentialsTokenResponseClient real = blockingTokenClient();
			return (request) -> OAuth2AccessTokenResponse.withResponse(real.getTokenResponse(request))
				.tokenType(OAuth2AccessToken.TokenType.DPOP)
				.build();
		}

	}

	/** Which manager the callers of the nodes use. */
	enum Stack {

		/** {@code OAuth2AuthorizedClientManager}, on the caller's thread. */
		SERVLET,

		/** {@code ReactiveOAuth2AuthorizedClientManager}, subscribed on event-loop-like threads. */
		REACTIVE

	}

	/** A thread Reactor takes for an event loop: {@code Schedulers.isInNonBlockingThread()} is true on it. */
	private static final class NonBlockingThread extends Thread implements NonBlocking {

		NonBlockingThread(Runnable task) {
			super(task);
			setDaemon(true);
		}

	}

	/**
	 * A store whose calls of a shared store made on a thread that must not block ({@link NonBlocking}:
	 * a Netty event loop, a reactive caller) are counted, and whose reads may fail.
	 */
	record WatchedStore(TokenStore store, boolean readsFail, AtomicInteger onNonBlockingThreads) implements TokenStore {

		@Override
		public OAuth2AccessToken cached(String registrationId, String principalName) {
			return this.store.cached(registrationId, principalName);
		}

		@Override
		public OAuth2AccessToken read(String registrationId, String principalName) {
			watch();
			return this.readsFail ? this.store.cached(registrationId, principalName)
					: this.store.read(registrationId, principalName);
		}

		@Override
		public void write(String registrationId, String principalName, OAuth2AccessToken token) {
			watch();
			this.store.write(registrationId, principalName, token);
		}

		@Override
		public boolean shared() {
			return this.store.shared();
		}

		private void watch() {
			if (this.store.shared() && Schedulers.isInNonBlockingThread()) {
				this.onNonBlockingThreads.incrementAndGet();
			}
		}

	}

}
