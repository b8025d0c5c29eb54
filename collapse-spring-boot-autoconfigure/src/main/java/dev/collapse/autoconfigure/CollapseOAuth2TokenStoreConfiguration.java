package dev.collapse.autoconfigure;

import java.time.Clock;
import java.util.function.Supplier;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.oauth2.RedisTokenStore;
import dev.collapse.oauth2.TokenStore;

/**
 * The {@link TokenStore} of the client-credentials providers, imported by the blocking and the
 * reactive auto-configuration alike, so that an application with both has one store: in Redis
 * with {@code collapse.oauth2.client.share-tokens=true} and {@code collapse.redis.enabled=true},
 * otherwise this node's memory.
 */
@Configuration(proxyBeanMethods = false)
class CollapseOAuth2TokenStoreConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(StringRedisTemplate.class)
	@ConditionalOnBooleanProperty(name = "collapse.oauth2.client.share-tokens")
	@ConditionalOnBooleanProperty(name = "collapse.redis.enabled")
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class SharedTokensConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TokenStore collapseOAuth2TokenStore(RedisConnectionFactory factory, CollapseProperties properties) {
			StringRedisTemplate redis = new StringRedisTemplate(factory);
			return new RedisTokenStore(redis, properties.getRedis().getKeyPrefix(), Clock.systemUTC());
		}

	}

	@Bean
	@ConditionalOnMissingBean
	TokenStore collapseOAuth2TokenStore() {
		return TokenStore.inMemory();
	}

	/** A provider made by {@code provider}, whose bad margins fail the startup naming the properties. */
	static <P> P validated(Supplier<P> provider) {
		try {
			return provider.get();
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException("collapse.oauth2.client", ex.getMessage(), ex);
		}
	}

}
