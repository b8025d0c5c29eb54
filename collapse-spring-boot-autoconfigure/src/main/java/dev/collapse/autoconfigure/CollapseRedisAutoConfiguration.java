package dev.collapse.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisValueSerializer;
import dev.collapse.redis.RedisValueSerializers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fleet-wide collapsing through the Redis of {@code spring.data.redis.*} (standalone, Sentinel or
 * Cluster, with Boot's credentials and TLS), when {@code collapse.redis.enabled=true}. It needs
 * Lettuce (Boot's default client) and Jackson 3.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(value = { LettuceConnectionFactory.class, JsonMapper.class }, name = "io.lettuce.core.RedisClient")
@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "collapse.redis.enabled")
@EnableConfigurationProperties(CollapseProperties.class)
public final class CollapseRedisAutoConfiguration {

	private static final Log logger = LogFactory.getLog(CollapseRedisAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	RedisDistributedLayer collapseRedisLayer(RedisConnectionFactory factory, CollapseProperties properties,
			ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<RedisValueSerializer> serializer) {
		// a parameter, not a provider: the factory is then closed after this layer, never before
		if (!(factory instanceof LettuceConnectionFactory lettuce)) {
			throw new CollapseConfigurationException("collapse.redis.enabled=true", "the RedisConnectionFactory is a "
					+ factory.getClass().getSimpleName()
					+ "; collapse talks to Redis through Lettuce, Spring Boot's default client");
		}
		CollapseProperties.Redis redis = properties.getRedis();
		checkKeyPrefix(redis.getKeyPrefix());
		JsonMapper mapper = jsonMapper.getIfAvailable(() -> JsonMapper.builder().build());
		RedisDistributedLayer.Settings settings;
		try {
			settings = new RedisDistributedLayer.Settings(redis.getLease(), redis.getCommandTimeout(),
					redis.getProbeInterval(), redis.getFallbackLogInterval(), redis.getMaxEntrySize().toBytes());
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException("collapse.redis", ex.getMessage(), ex);
		}
		RedisDistributedLayer layer;
		try {
			layer = new RedisDistributedLayer(lettuce::getRequiredNativeClient,
					serializer.getIfAvailable(() -> RedisValueSerializers.json(mapper)), redis.getKeyPrefix(), mapper,
					settings);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException("collapse.redis.key-prefix", ex.getMessage(), ex);
		}
		layer.start();
		return layer;
	}

	/**
	 * An empty prefix fails: it is what keeps collapse's keys and channel apart from everything else
	 * on the Redis, and what a least-privilege ACL grants. One that ends with a letter or digit
	 * works, but {@code ~<prefix>*} then also grants the keys of every longer prefix.
	 */
	static void checkKeyPrefix(String prefix) {
		if (prefix == null || prefix.isBlank()) {
			throw new CollapseConfigurationException("collapse.redis.key-prefix",
					"must not be empty: it keeps the keys and the channel of collapse apart from the rest of the Redis, "
							+ "and is what a least-privilege ACL grants (~<prefix>*, &<prefix>*); the default is 'collapse:'");
		}
		if (Character.isLetterOrDigit(prefix.charAt(prefix.length() - 1))) {
			logger.warn("collapse.redis.key-prefix '" + prefix + "' does not end with a separator such as ':'; an ACL "
					+ "pattern ~" + prefix + "* then also grants the keys of every prefix that starts with it (such as '"
					+ prefix + "2:')");
		}
	}

	/**
	 * Closes the layer when the context starts closing: the connection factory is a lifecycle bean
	 * and stops before beans are destroyed, and the layer must not take that for Redis going down.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "collapseRedisLayerCloser")
	ApplicationListener<ContextClosedEvent> collapseRedisLayerCloser(ObjectProvider<RedisDistributedLayer> layer) {
		return (event) -> layer.ifAvailable(RedisDistributedLayer::close);
	}

}
