package dev.collapse.autoconfigure;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.KeyEncoder;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisLayerSettings;
import dev.collapse.redis.RedisValueSerializer;
import dev.collapse.redis.RedisValueSerializers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fleet-wide collapsing through the Redis of {@code spring.data.redis.*} (standalone, Sentinel or
 * Cluster, with Boot's credentials and TLS), when {@code collapse.redis.enabled=true}. It needs
 * Lettuce (Boot's default client) and Jackson 3. Keys of types the fleet does not encode itself
 * are written by the application's {@link KeyEncoder} beans, in their order.
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
			ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<RedisValueSerializer> serializer,
			ObjectProvider<KeyEncoder> keyEncoders) {
		// a parameter, not a provider: the factory is then destroyed after this layer, never before
		if (!(factory instanceof LettuceConnectionFactory lettuce)) {
			throw new CollapseConfigurationException("collapse.redis.enabled=true", "the RedisConnectionFactory is a "
					+ factory.getClass().getSimpleName()
					+ "; collapse talks to Redis through Lettuce, Spring Boot's default client");
		}
		CollapseProperties.Redis redis = properties.getRedis();
		checkKeyPrefix(redis.getKeyPrefix());
		JsonMapper mapper = jsonMapper.getIfAvailable(() -> JsonMapper.builder().build());
		RedisLayerSettings settings;
		try {
			settings = new RedisLayerSettings(redis.getLease(), redis.getCommandTimeout(),
					redis.getProbeInterval(), redis.getFallbackLogInterval(), redis.getMaxEntrySize().toBytes(),
					redis.getSubscriptionCheck(),
					redis.getNearCache().isEnabled() ? Math.max(0, properties.getLocal().getMaxEntries()) : 0);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException("collapse.redis", ex.getMessage(), ex);
		}
		RedisDistributedLayer layer;
		try {
			layer = new RedisDistributedLayer(lettuce::getRequiredNativeClient,
					serializer.getIfAvailable(() -> RedisValueSerializers.json(mapper)), redis.getKeyPrefix(),
					keyEncoders.orderedStream().toList(), settings);
		}
		catch (IllegalArgumentException ex) {
			throw new CollapseConfigurationException("collapse.redis.key-prefix", ex.getMessage(), ex);
		}
		// connects when started, see collapseRedisLayerLifecycle
		return layer;
	}

	/**
	 * An empty prefix fails: it is what keeps collapse's keys and channel apart from everything else
	 * on the Redis, and what a least-privilege ACL grants. One that ends with a letter or digit
	 * works, but {@code ~<prefix>*} then also grants the keys of every longer prefix.
	 */
	static void checkKeyPrefix(@Nullable String prefix) {
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
	 * Starts the layer once the context is refreshed and stops it before the connection factory
	 * stops, so that the layer never takes the factory's stop for Redis going down.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "collapseRedisLayerLifecycle")
	RedisLayerLifecycle collapseRedisLayerLifecycle(RedisDistributedLayer layer, RedisConnectionFactory factory) {
		return new RedisLayerLifecycle(layer, factory);
	}

	/**
	 * The Redis layer as a {@link SmartLifecycle}, one phase above the connection factory's (0 in
	 * Spring Data Redis 4, which also starts it early, when it is created): the layer starts after
	 * the factory and stops before it. That phase is also far below the web server's and the
	 * message listener containers' ({@code DEFAULT_PHASE} and just under), so the layer is
	 * connected before requests come in and stays connected until they have drained.
	 */
	static final class RedisLayerLifecycle implements SmartLifecycle {

		private final RedisDistributedLayer layer;

		private final int phase;

		RedisLayerLifecycle(RedisDistributedLayer layer, RedisConnectionFactory factory) {
			this.layer = layer;
			int factoryPhase = (factory instanceof SmartLifecycle lifecycle) ? lifecycle.getPhase() : 0;
			// at the factory's own phase if it is the last one: this bean depends on the factory,
			// and within a phase dependents stop first
			this.phase = (factoryPhase == Integer.MAX_VALUE) ? factoryPhase : factoryPhase + 1;
		}

		/** Connects and subscribes, waiting up to the command timeout for Redis to answer. */
		@Override
		public void start() {
			this.layer.start();
		}

		/** Unsubscribes, disconnects and stops renewing leases; the layer's threads end when it is destroyed. */
		@Override
		public void stop() {
			this.layer.stop();
		}

		@Override
		public boolean isRunning() {
			return this.layer.isRunning();
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

}
