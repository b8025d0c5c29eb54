package dev.collapse.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;

import dev.collapse.oauth2.CollapsedClientCredentialsProvider;
import dev.collapse.oauth2.RedisTokenStore;
import dev.collapse.oauth2.TokenStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** Every condition of the OAuth2 client integration. */
class CollapseOAuth2ClientAutoConfigurationTest {

	private static final String REGISTRATION = "spring.security.oauth2.client.registration.orders.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class, OAuth2ClientAutoConfiguration.class,
				CollapseOAuth2ClientAutoConfiguration.class))
		.withPropertyValues(REGISTRATION + "client-id=orders", REGISTRATION + "client-secret=secret",
				REGISTRATION + "authorization-grant-type=client_credentials",
				"spring.security.oauth2.client.provider.orders.token-uri=http://127.0.0.1:1/token",
				REGISTRATION + "provider=orders");

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
	void withoutRegistrationsNothing() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class,
					OAuth2ClientAutoConfiguration.class, CollapseOAuth2ClientAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class)
				.doesNotHaveBean(OAuth2AuthorizedClientManager.class));
	}

	@Test
	void withoutSpringSecuritysOAuth2ClientNothing() {
		this.runner.withClassLoader(new FilteredClassLoader(OAuth2AuthorizedClientManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class));
	}

	@Test
	void switchedOffNothing() {
		this.runner.withPropertyValues("collapse.oauth2.client.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class)
				.doesNotHaveBean(OAuth2AuthorizedClientManager.class));
		this.runner.withPropertyValues("collapse.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CollapsedClientCredentialsProvider.class));
	}

	@Test
	void theApplicationsManagerWinsAndMayUseTheProvider() {
		OAuth2AuthorizedClientManager own = mock(OAuth2AuthorizedClientManager.class);
		this.runner.withBean(OAuth2AuthorizedClientManager.class, () -> own).run((context) -> {
			assertThat(context.getBean(OAuth2AuthorizedClientManager.class)).isSameAs(own);
			assertThat(context).hasSingleBean(CollapsedClientCredentialsProvider.class);
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

}
