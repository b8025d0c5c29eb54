package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.AbstractRedisClient;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseRedisAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis layer's lifecycle in a real context on the suite's Redis: created without connecting,
 * started once the context is refreshed, stopped (unsubscribed, renewals ended) while the
 * connection factory still runs, and later than what serves requests.
 */
class RedisLayerLifecycleTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class))
		.withUserConfiguration(RecordingConfig.class)
		.withPropertyValues(redis.properties())
		.withPropertyValues("collapse.redis.enabled=true", "collapse.redis.key-prefix=lifecycle:",
				"collapse.redis.lease=3s");

	@Test
	void theBeanMethodDoesNotConnectTheRefreshedContextHasTheLayerRunning() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			LayerAtCreation created = context.getBean(LayerAtCreation.class);
			assertThat(created.nativeClientRequests).as("native client asked for by the @Bean method").isZero();
			assertThat(created.running).isFalse();
			assertThat(created.available).isFalse();
			RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
			assertThat(layer.isRunning()).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> layer.available() && layer.subscribed());
			assertThat(subscribers(layer)).isEqualTo(1);
		});
	}

	@Test
	void theLayerStopsBeforeTheConnectionFactory() {
		this.runner.run((context) -> {
			RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> layer.available() && layer.subscribed());
			LeaseKeeper.RedisLease lease = layer.leases().renew("lifecycle:{p:1}", "lifecycle:{p:1}:lock",
					layer.leases().newToken(), Duration.ofMinutes(1));
			assertThat(layer.leases().renewing()).isEqualTo(1);
			RecordingFactory factory = context.getBean(RecordingFactory.class);
			context.close();
			assertThat(factory.stops.get()).isEqualTo(1);
			assertThat(factory.layerRunningAtStop).isFalse();
			assertThat(factory.subscribedAtStop).isFalse();
			assertThat(factory.renewingAtStop).isZero();
			assertThat(factory.unsubscribedInRedisAtStop).as("Redis saw the subscription end before the factory stopped")
				.isTrue();
			assertThat(layer.available()).isFalse();
			lease.stop();
		});
	}

	@Test
	void requestsFindTheLayerRunningFromTheirStartUntilTheyHaveDrained() {
		this.runner.run((context) -> {
			ServingLifecycle serving = context.getBean(ServingLifecycle.class);
			assertThat(serving.layerRunningAtStart).isTrue();
			context.close();
			assertThat(serving.layerRunningAtStop).isTrue();
		});
	}

	/** Subscribers of the layer's channel, as Redis counts them. */
	private static long subscribers(RedisDistributedLayer layer) {
		String[] reply = redis.server().cli("PUBSUB", "NUMSUB", layer.channel().name()).trim().split("\\s+");
		return Long.parseLong(reply[reply.length - 1]);
	}

	/** The layer's state when its @Bean method has returned. */
	static final class LayerAtCreation implements BeanPostProcessor {

		private final ObjectProvider<RecordingFactory> factory;

		volatile int nativeClientRequests = -1;

		volatile boolean running;

		volatile boolean available;

		LayerAtCreation(ObjectProvider<RecordingFactory> factory) {
			this.factory = factory;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof RedisDistributedLayer layer) {
				this.nativeClientRequests = this.factory.getObject().nativeClientRequests.get();
				this.running = layer.isRunning();
				this.available = layer.available();
			}
			return bean;
		}

	}

	/**
	 * Stands for Boot's web server, started last and stopped first at the phase of its
	 * {@code WebServerStartStopLifecycle}; notes whether the layer runs at both moments.
	 */
	static final class ServingLifecycle implements SmartLifecycle {

		private final ObjectProvider<RedisDistributedLayer> layer;

		private volatile boolean running;

		volatile boolean layerRunningAtStart;

		volatile boolean layerRunningAtStop;

		ServingLifecycle(ObjectProvider<RedisDistributedLayer> layer) {
			this.layer = layer;
		}

		@Override
		public void start() {
			this.layerRunningAtStart = this.layer.getObject().isRunning();
			this.running = true;
		}

		@Override
		public void stop() {
			this.layerRunningAtStop = this.layer.getObject().isRunning();
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return SmartLifecycle.DEFAULT_PHASE - 2048;
		}

	}

	/** Boot's factory, which notes what the layer looks like when the context stops the factory. */
	static final class RecordingFactory extends LettuceConnectionFactory {

		private final ObjectProvider<RedisDistributedLayer> layer;

		final AtomicInteger nativeClientRequests = new AtomicInteger();

		final AtomicInteger stops = new AtomicInteger();

		volatile boolean layerRunningAtStop = true;

		volatile boolean subscribedAtStop = true;

		volatile int renewingAtStop = -1;

		volatile boolean unsubscribedInRedisAtStop;

		RecordingFactory(RedisStandaloneConfiguration configuration, ObjectProvider<RedisDistributedLayer> layer) {
			super(configuration);
			this.layer = layer;
		}

		@Override
		public AbstractRedisClient getRequiredNativeClient() {
			this.nativeClientRequests.incrementAndGet();
			return super.getRequiredNativeClient();
		}

		@Override
		public void stop() {
			if (isRunning()) {
				this.stops.incrementAndGet();
				RedisDistributedLayer current = this.layer.getObject();
				this.layerRunningAtStop = current.isRunning();
				this.subscribedAtStop = current.subscribed();
				this.renewingAtStop = current.leases().renewing();
				try {
					// Redis notes a closed connection's end a moment after the client closed it
					await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(current) == 0);
					this.unsubscribedInRedisAtStop = true;
				}
				catch (ConditionTimeoutException ex) {
					this.unsubscribedInRedisAtStop = false;
				}
			}
			super.stop();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingConfig {

		@Bean
		RecordingFactory redisConnectionFactory(Environment environment, ObjectProvider<RedisDistributedLayer> layer) {
			return new RecordingFactory(new RedisStandaloneConfiguration("127.0.0.1",
					environment.getRequiredProperty("spring.data.redis.port", Integer.class)), layer);
		}

		@Bean
		ServingLifecycle servingLifecycle(ObjectProvider<RedisDistributedLayer> layer) {
			return new ServingLifecycle(layer);
		}

		@Bean
		static LayerAtCreation layerAtCreation(ObjectProvider<RecordingFactory> factory) {
			return new LayerAtCreation(factory);
		}

	}

}
