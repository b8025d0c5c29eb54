package dev.collapse.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.web.reactive.function.client.WebClient;

import dev.collapse.oauth2.CollapsedClientCredentialsProvider;
import dev.collapse.oauth2.CollapsedReactiveClientCredentialsProvider;
import dev.collapse.oauth2.RedisTokenStore;
import dev.collapse.oauth2.TokenStore;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** Every condition of the OAuth2 client integration, blocking and reactive. */
class CollapseOAuth2ClientAutoConfigurationTest {

	private static final String REGISTRATION = "spring.security.oauth2.client.registration.orders.";

	private static final String[] REGISTRATION_PROPERTIES = { REGISTRATION + "client-id=orders",
			REGISTRATION + "client-secret=secret", REGISTRATION + "authorization-grant-type=client_credentials",
			"spring.security.oauth2.client.provider.orders.token-uri=http://127.0.0.1:1/token",
			REGISTRATION + "provider=orders" };

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class, OAuth2ClientAutoConfiguration.class,
				CollapseOAuth2ClientAutoConfiguration.class))
		.withPropertyValues(REGISTRATION_PROPERTIES);

	/** Spring Boot's reactive OAuth2 client (reactive registrations and authorized client service) and ours. */
	private final ApplicationContextRunner reactive = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class,
				ReactiveOAuth2ClientAutoConfiguration.class, CollapseReactiveOAuth2ClientAutoConfiguration.class))
		.withPropertyValues(REGISTRATION_PROPERTIES);

	@Test
	void withARegistrationTheManagerFetchesThroughCollapseOnThisNodeOnly() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class);
			assertThat(context.getBean(OAuth2AuthorizedClientManager.class))
				.isInstanceOf(AuthorizedClientServiceOAuth2AuthorizedClientManager.class);
			assertThat(context.getBean(TokenStore.class).shared()).isFalse();
		});
	}

	@Test
	void withoutRegistrationsNothingBlockingOrReactive() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class,
					OAuth2ClientAutoConfiguration.class, CollapseOAuth2ClientAutoConfiguration.class,
					ReactiveOAuth2ClientAutoConfiguration.class, CollapseReactiveOAuth2ClientAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class)
				.doesNotHaveBean(OAuth2AuthorizedClientManager.class)
				.doesNotHaveBean(CollapsedReactiveClientCredentialsProvider.class)
				.doesNotHaveBean(ReactiveOAuth2AuthorizedClientManager.class));
	}

	@Test
	void withoutSpringSecuritysOAuth2ClientNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(OAuth2AuthorizedClientManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class));
	}

	@Test
	void switchedOffNothingBlockingOrReactive() {
		for (String off : new String[] { "collapse.oauth2.client.enabled=false", "collapse.enabled=false" }) {
			bothStacks().withPropertyValues(off)
				.run((context) -> assertThat(context).as(off)
					.doesNotHaveBean(CollapsedClientCredentialsProvider.class)
					.doesNotHaveBean(OAuth2AuthorizedClientManager.class)
					.doesNotHaveBean(CollapsedReactiveClientCredentialsProvider.class)
					.doesNotHaveBean(ReactiveOAuth2AuthorizedClientManager.class));
		}
	}

	@Test
	void theApplicationsManagersWinAndMayUseTheProviders() {
		OAuth2AuthorizedClientManager own = mock(OAuth2AuthorizedClientManager.class);
		ReactiveOAuth2AuthorizedClientManager ownReactive = mock(ReactiveOAuth2AuthorizedClientManager.class);
		bothStacks().withBean(OAuth2AuthorizedClientManager.class, () -> own)
			.withBean(ReactiveOAuth2AuthorizedClientManager.class, () -> ownReactive)
			.run((context) -> {
				assertThat(context.getBean(OAuth2AuthorizedClientManager.class)).isSameAs(own);
				assertThat(context.getBean(ReactiveOAuth2AuthorizedClientManager.class)).isSameAs(ownReactive);
				assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class)
					.hasSingleBean(CollapsedReactiveClientCredentialsProvider.class);
			});
	}

	@Test
	void tokensGoToRedisOnlyWhenSharedAndRedisIsOn() {
		ApplicationContextRunner withRedis = this.runner.withBean(RedisConnectionFactory.class,
				() -> new LettuceConnectionFactory("127.0.0.1", 1));
		withRedis.withPropertyValues("collapse.oauth2.client.share-tokens=true", "collapse.redis.enabled=true")
			.run((context) -> assertThat(context.getBean(TokenStore.class)).isInstanceOf(RedisTokenStore.class));
		withRedis.withPropertyValues("collapse.oauth2.client.share-tokens=true")
			.run((context) -> assertThat(context.getBean(TokenStore.class).shared()).isFalse());
		withRedis.withPropertyValues("collapse.redis.enabled=true")
			.run((context) -> assertThat(context.getBean(TokenStore.class).shared()).isFalse());
	}

	@Test
	void aNegativeWindowFailsAtStartupNamingTheProperty() {
		this.runner.withPropertyValues("collapse.oauth2.client.refresh-window=-1s")
			.run((context) -> assertThat(context).getFailure().hasRootCauseMessage(
					"clock-skew and refresh-window must be zero or positive; were PT30S and PT-1S")
				.hasMessageContaining("collapse.oauth2.client"));
	}

	@Test
	void withReactiveRegistrationsTheReactiveManagerFetchesThroughCollapse() {
		this.reactive.run((context) -> {
			assertThat(context).hasSingleBean(CollapsedReactiveClientCredentialsProvider.class)
				.doesNotHaveBean(CollapsedClientCredentialsProvider.class);
			assertThat(context.getBean(ReactiveOAuth2AuthorizedClientManager.class))
				.isInstanceOf(AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager.class);
			assertThat(context.getBean(TokenStore.class).shared()).isFalse();
		});
	}

	@Test
	void withoutAnAuthorizedClientServiceNoReactiveProvider() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class,
					CollapseReactiveOAuth2ClientAutoConfiguration.class))
			.withBean(ReactiveClientRegistrationRepository.class, () -> mock(ReactiveClientRegistrationRepository.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedReactiveClientCredentialsProvider.class)
				.doesNotHaveBean(ReactiveOAuth2AuthorizedClientManager.class));
	}

	@Test
	void withoutWebFluxOrReactorNoReactiveProviderAndTheBlockingOneStays() {
		ApplicationContextRunner both = bothStacks();
		both.withClassLoader(new FilteredClassLoader(WebClient.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(CollapsedReactiveClientCredentialsProvider.class)
				.doesNotHaveBean(ReactiveOAuth2AuthorizedClientManager.class);
			assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class)
				.hasSingleBean(OAuth2AuthorizedClientManager.class);
		});
		both.withClassLoader(new FilteredClassLoader(Mono.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(CollapsedReactiveClientCredentialsProvider.class);
			assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class);
		});
	}

	@Test
	void anApplicationWithBothStacksHasBothProvidersOnOneStore() {
		bothStacks().run((context) -> assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class)
				.hasSingleBean(CollapsedReactiveClientCredentialsProvider.class)
				.hasSingleBean(OAuth2AuthorizedClientManager.class)
				.hasSingleBean(ReactiveOAuth2AuthorizedClientManager.class)
				.hasSingleBean(TokenStore.class));
	}

	@Test
	void reactiveTokensGoToRedisWhenShared() {
		this.reactive.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.withPropertyValues("collapse.oauth2.client.share-tokens=true", "collapse.redis.enabled=true")
			.run((context) -> assertThat(context.getBean(TokenStore.class)).isInstanceOf(RedisTokenStore.class));
	}

	@Test
	void aNegativeSkewFailsTheReactiveStartupNamingTheProperty() {
		this.reactive.withPropertyValues("collapse.oauth2.client.clock-skew=-1s")
			.run((context) -> assertThat(context).getFailure().hasRootCauseMessage(
					"clock-skew and refresh-window must be zero or positive; were PT-1S and PT1M")
				.hasMessageContaining("collapse.oauth2.client"));
	}

	/** An application with both stacks (a non-web one has Boot's blocking and reactive OAuth2 clients). */
	private ApplicationContextRunner bothStacks() {
		return this.runner.withConfiguration(AutoConfigurations.of(ReactiveOAuth2ClientAutoConfiguration.class,
				CollapseReactiveOAuth2ClientAutoConfiguration.class));
	}

}
