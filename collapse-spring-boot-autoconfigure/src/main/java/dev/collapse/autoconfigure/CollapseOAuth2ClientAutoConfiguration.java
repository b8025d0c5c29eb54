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
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;

import dev.collapse.core.Collapser;
import dev.collapse.oauth2.CollapsedClientCredentialsProvider;
import dev.collapse.oauth2.TokenStore;

/**
 * Client-credentials tokens of Spring Security's OAuth2 client fetched once per registration at a
 * time, when the application has client registrations ({@code spring.security.oauth2.client.*}).
 * It provides an {@link OAuth2AuthorizedClientManager} for service-to-service calls unless the
 * application declares its own; an application that does can give its manager the
 * {@link CollapsedClientCredentialsProvider} bean. Tokens go to Redis only with
 * {@code collapse.oauth2.client.share-tokens=true} and {@code collapse.redis.enabled=true}.
 */
@AutoConfiguration(after = { CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class },
		afterName = { "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration",
				"org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
@ConditionalOnClass({ OAuth2AuthorizedClientManager.class, ClientCredentialsOAuth2AuthorizedClientProvider.class })
@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.enabled", matchIfMissing = true)
@ConditionalOnBean({ Collapser.class, ClientRegistrationRepository.class })
@EnableConfigurationProperties({ CollapseOAuth2ClientProperties.class, CollapseProperties.class })
@Import(CollapseOAuth2TokenStoreConfiguration.class)
public final class CollapseOAuth2ClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CollapsedClientCredentialsProvider collapsedClientCredentialsProvider(Collapser collapser, TokenStore store,
			CollapseOAuth2ClientProperties properties,
			ObjectProvider<OAuth2AccessTokenResponseClient<OAuth2ClientCredentialsGrantRequest>> tokenResponseClient) {
		ClientCredentialsOAuth2AuthorizedClientProvider fetcher = new ClientCredentialsOAuth2AuthorizedClientProvider();
		tokenResponseClient.ifAvailable(fetcher::setAccessTokenResponseClient);
		return CollapseOAuth2TokenStoreConfiguration.validated(() -> new CollapsedClientCredentialsProvider(collapser,
				store, fetcher, properties.getClockSkew(), properties.getRefreshWindow(), Clock.systemUTC()));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(OAuth2AuthorizedClientService.class)
	OAuth2AuthorizedClientManager collapseAuthorizedClientManager(ClientRegistrationRepository registrations,
			OAuth2AuthorizedClientService clients, CollapsedClientCredentialsProvider provider) {
		AuthorizedClientServiceOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(
				registrations, clients);
		manager.setAuthorizedClientProvider(provider);
		return manager;
	}

}
