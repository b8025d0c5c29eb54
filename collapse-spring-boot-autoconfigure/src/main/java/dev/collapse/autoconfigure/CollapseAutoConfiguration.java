package dev.collapse.autoconfigure;

import java.util.List;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import com.github.benmanes.caffeine.cache.Ticker;

import dev.collapse.aop.CollapseEvictAdvisor;
import dev.collapse.aop.CollapseEvictInterceptor;
import dev.collapse.aop.CollapsedAdvisor;
import dev.collapse.aop.CollapsedInterceptor;
import dev.collapse.aop.CollapsedMethodValidator;
import dev.collapse.aop.CollapsedOperations;
import dev.collapse.aop.EvictOperations;
import dev.collapse.aop.SettingsResolver;
import dev.collapse.core.CollapseExecutor;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Collapser;
import dev.collapse.core.LocalStore;
import dev.collapse.core.PassThroughCollapser;
import dev.collapse.core.RefreshExecutor;
import dev.collapse.core.spi.DistributedLayer;

/**
 * Herd protection for {@code @Collapsed} methods in one JVM, eviction for {@code @CollapseEvict}
 * methods, and the {@link Collapser} bean.
 * With {@code collapse.enabled=false} the methods are not proxied and the {@link Collapser}
 * runs every loader as a plain call.
 */
@AutoConfiguration
@EnableConfigurationProperties(CollapseProperties.class)
public final class CollapseAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "collapse.enabled", matchIfMissing = true)
	@Import(AutoProxyRegistrar.class)
	static class CollapseEnabledConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LocalStore collapseLocalStore(CollapseProperties properties) {
			return new LocalStore(properties.getLocal().getMaxEntries(), Ticker.systemTicker());
		}

		@Bean
		@ConditionalOnMissingBean
		RefreshExecutor collapseRefreshExecutor() {
			return RefreshExecutor.bounded(2, 1_000);
		}

		/**
		 * Runs the application's code that collapse's timers make due, so that timer threads run
		 * timers only (see docs/design.md, "Threads"); closed with the context, since it is ours.
		 */
		@Bean
		@ConditionalOnMissingBean
		CollapseExecutor collapseExecutor(CollapseProperties properties) {
			CollapseProperties.Executor pool = properties.getExecutor();
			requirePositive(pool.getMaxThreads(), "collapse.executor.max-threads");
			requirePositive(pool.getQueueCapacity(), "collapse.executor.queue-capacity");
			return CollapseExecutor.bounded(pool.getMaxThreads(), pool.getQueueCapacity());
		}

		private static void requirePositive(int value, String property) {
			if (value < 1) {
				throw new IllegalArgumentException(property + " must be at least 1, not " + value);
			}
		}

		@Bean
		@ConditionalOnMissingBean
		SettingsResolver collapseSettingsResolver(CollapseProperties properties, Environment environment) {
			return new PropertiesSettingsResolver(properties, environment);
		}

		@Bean
		@ConditionalOnMissingBean
		CollapseRegistry collapseRegistry(LocalStore store, SettingsResolver settings,
				ObjectProvider<CollapseListener> listeners, RefreshExecutor refreshExecutor, CollapseExecutor executor,
				ObjectProvider<DistributedLayer> distributed) {
			List<CollapseListener> ordered = listeners.orderedStream().toList();
			return new CollapseRegistry(store,
					(name) -> settings.resolve(name, null, "collapse instance '" + name + "'"), ordered,
					refreshExecutor.executor(), distributed.getIfAvailable(), executor.executor());
		}

		@Bean
		@ConditionalOnMissingBean
		CollapsedOperations collapsedOperations(CollapseRegistry registry, SettingsResolver settings,
				ConfigurableListableBeanFactory beanFactory) {
			// the bean class loader, so that SpEL type references resolve as the application's own
			// classes do (devtools' restart class loader included)
			return new CollapsedOperations(registry, settings, beanFactory.getBeanClassLoader());
		}

		@Bean
		@ConditionalOnMissingBean
		EvictOperations collapseEvictOperations(CollapseRegistry registry, ConfigurableListableBeanFactory beanFactory) {
			// evicts through the Collapser API of the registry, with keys made as @Collapsed makes them
			return new EvictOperations(registry, beanFactory.getBeanClassLoader());
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static CollapsedMethodValidator collapsedMethodValidator() {
			return new CollapsedMethodValidator();
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static CollapsedAdvisor collapsedAdvisor(ObjectProvider<CollapsedOperations> operations,
				Environment environment) {
			// read from the environment: binding properties here would create beans before the
			// post-processors that should see them
			int order = environment.getProperty("collapse.order", Integer.class, CollapseProperties.DEFAULT_ORDER);
			return new CollapsedAdvisor(new CollapsedInterceptor(operations::getObject), order);
		}

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		@ConditionalOnMissingBean
		static CollapseEvictAdvisor collapseEvictAdvisor(ObjectProvider<EvictOperations> operations,
				Environment environment) {
			// the order of @Collapsed's advisor: outside @Transactional by default, so a method's own
			// transaction has committed when it returns here; inside one, evictions wait for its commit
			int order = environment.getProperty("collapse.order", Integer.class, CollapseProperties.DEFAULT_ORDER);
			return new CollapseEvictAdvisor(new CollapseEvictInterceptor(operations::getObject), order);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "collapse.enabled", havingValue = false)
	static class CollapseDisabledConfiguration {

		@Bean
		@ConditionalOnMissingBean
		Collapser collapser() {
			return new PassThroughCollapser();
		}

	}

	/**
	 * Makes sure an auto-proxy creator exists even where {@code spring.aop.auto=false}, proxying
	 * classes unless the application chose interface proxies with
	 * {@code spring.aop.proxy-target-class=false}, as Spring Boot itself does.
	 */
	static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}

	}

}
