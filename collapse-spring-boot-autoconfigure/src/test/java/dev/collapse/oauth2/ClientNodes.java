package dev.collapse.oauth2;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;

import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisProperties;

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

	private ClientNodes() {
	}

	/** {@code size} nodes; with {@code redis}, collapse across them through it. */
	static ClientNodes start(int size, AuthorizationServer server, RedisProperties redis, String... properties) {
		ClientNodes fleet = new ClientNodes();
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
					.ifAvailable((provider) -> provider.clock(fleet.clock));
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

	CollapsedClientCredentialsProvider provider(int node) {
		return this.nodes.get(node).getBean(CollapsedClientCredentialsProvider.class);
	}

	/** One token, as a service asks for it before a call. */
	OAuth2AccessToken token(int node) {
		OAuth2AuthorizedClient client = this.nodes.get(node)
			.getBean(OAuth2AuthorizedClientManager.class)
			.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION).principal("orders-service").build());
		return client.getAccessToken();
	}

	/**
	 * {@code callersPerNode} callers on every node, released together by one latch; returns the
	 * distinct token values they got.
	 */
	Set<String> herd(int callersPerNode) throws Exception {
		int callers = callersPerNode * this.nodes.size();
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			CountDownLatch ready = new CountDownLatch(callers);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<String>> results = new ArrayList<>();
			for (int node = 0; node < this.nodes.size(); node++) {
				int n = node;
				for (int i = 0; i < callersPerNode; i++) {
					results.add(pool.submit(() -> {
						ready.countDown();
						go.await();
						return token(n).getTokenValue();
					}));
				}
			}
			ready.await(30, TimeUnit.SECONDS);
			go.countDown();
			Set<String> values = ConcurrentHashMap.newKeySet();
			for (Future<String> result : results) {
				values.add(result.get(60, TimeUnit.SECONDS));
			}
			return values;
		}
		finally {
			pool.shutdownNow();
		}
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
				OAuth2AuthorizedClientService clients) {
			AuthorizedClientServiceOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(
					registrations, clients);
			manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder().clientCredentials().build());
			return manager;
		}

		/** A shared store whose reads fail, as RedisTokenStore answers then: this node's own copy. */
		@Bean
		@ConditionalOnBooleanProperty("test.token-store.reads-fail")
		static BeanPostProcessor failingReads() {
			return new BeanPostProcessor() {
				@Override
				public Object postProcessAfterInitialization(Object bean, String name) {
					return (bean instanceof TokenStore store) ? new FailingReads(store) : bean;
				}
			};
		}

		/** The real server's answers, given as DPoP tokens. */
		@Bean
		@ConditionalOnBooleanProperty("test.token-type.dpop")
		OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest> dpopTokens() {
			RestClientClientCredentialsTokenResponseClient real = new RestClientClientCredentialsTokenResponseClient();
			return (request) -> OAuth2AccessTokenResponse.withResponse(real.getTokenResponse(request))
				.tokenType(OAuth2AccessToken.TokenType.DPOP)
				.build();
		}

	}

	private record FailingReads(TokenStore store) implements TokenStore {

		@Override
		public OAuth2AccessToken cached(String registrationId, String principalName) {
			return this.store.cached(registrationId, principalName);
		}

		@Override
		public OAuth2AccessToken read(String registrationId, String principalName) {
			return this.store.cached(registrationId, principalName);
		}

		@Override
		public void write(String registrationId, String principalName, OAuth2AccessToken token) {
			this.store.write(registrationId, principalName, token);
		}

		@Override
		public boolean shared() {
			return this.store.shared();
		}

	}

}
