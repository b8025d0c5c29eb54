package dev.collapse.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.ReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;

import dev.collapse.core.Collapser;
import dev.collapse.oauth2.CollapsedReactiveClientCredentialsProvider;
import dev.collapse.oauth2.TokenStore;
import reactor.core.publisher.Mono;

/**
 * The reactive counterpart of {@link CollapseOAuth2ClientAutoConfiguration}, for WebFlux
 * applications and {@code WebClient}'s OAuth2 filter: when the application has reactive client
 * registrations and an authorized client service (Spring Boot's reactive OAuth2 client
 * auto-configuration), a {@link CollapsedReactiveClientCredentialsProvider} and, unless the
 * application declares its own, a {@link ReactiveOAuth2AuthorizedClientManager} that uses it.
 * Same switch ({@code collapse.oauth2.client.enabled}), same properties, and the same
 * {@link TokenStore} as the blocking provider when an application has both. Needs spring-webflux:
 * Spring Security's reactive token client is a {@code WebClient}.
 */
@AutoConfiguration(
		after = { CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class,
				CollapseOAuth2ClientAutoConfiguration.class },
		afterName = {
				"org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration",
				"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
@ConditionalOnClass(value = { ReactiveOAuth2AuthorizedClientManager.class,
		ClientCredentialsReactiveOAuth2AuthorizedClientProvider.class, Mono.class },
		name = "org.springframework.web.reactive.function.client.WebClient")
@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.enabled", matchIfMissing = true)
@ConditionalOnBean({ Collapser.class, ReactiveClientRegistrationRepository.class,
		ReactiveOAuth2AuthorizedClientService.class })
@EnableConfigurationProperties({ CollapseOAuth2ClientProperties.class, CollapseProperties.class })
@Import(CollapseOAuth2TokenStoreConfiguration.class)
public final class CollapseReactiveOAuth2ClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CollapsedReactiveClientCredentialsProvider collapsedReactiveClientCredentialsProvider(Collapser collapser,
			TokenStore store, CollapseOAuth2ClientProperties properties,
			ObjectProvider<ReactiveOAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest>> tokenResponseClient) {
		ClientCredentialsReactiveOAuth2AuthorizedClientProvider fetcher = new ClientCredentialsReactiveOAuth2AuthorizedClientProvider();
		tokenResponseClient.ifAvailable(fetcher::setAccessTokenResponseClient);
		return CollapseOAuth2TokenStoreConfiguration.validated(() -> new CollapsedReactiveClientCredentialsProvider(
				collapser, store, fetcher, properties.getClockSkew(), properties.getRefreshWindow(), Clock.systemUTC()));
	}

	@Bean
	@ConditionalOnMissingBean(ReactiveOAuth2AuthorizedClientManager.class)
	ReactiveOAuth2AuthorizedClientManager collapseReactiveAuthorizedClientManager(
			ReactiveClientRegistrationRepository registrations, ReactiveOAuth2AuthorizedClientService clients,
			CollapsedReactiveClientCredentialsProvider provider) {
		AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(
				registrations, clients);
		manager.setAuthorizedClientProvider(provider);
		return manager;
	}

}
