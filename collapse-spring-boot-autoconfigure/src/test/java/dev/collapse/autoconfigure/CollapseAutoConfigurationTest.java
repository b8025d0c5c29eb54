package dev.collapse.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.util.StreamUtils;
import tools.jackson.databind.JsonNode;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.aop.CollapsedAdvisor;
import dev.collapse.aop.CollapsedMethodValidator;
import dev.collapse.aop.CollapsedOperations;
import dev.collapse.aop.SettingsResolver;
import dev.collapse.core.CollapseExecutor;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Collapser;
import dev.collapse.core.Jitter;
import dev.collapse.core.LocalStore;
import dev.collapse.core.PassThroughCollapser;
import dev.collapse.core.RefreshExecutor;
import dev.collapse.core.RetrySettings;

import static org.assertj.core.api.Assertions.assertThat;

/** Every condition of the auto-configuration, the imports file and the configuration metadata. */
class CollapseAutoConfigurationTest {

	private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	/**
	 * The only {@code @Bean} methods allowed without {@code @ConditionalOnMissingBean}: static
	 * infrastructure that post-processes beans and must exist exactly once.
	 */
	private static final List<String> INFRASTRUCTURE_BEANS = List.of(
			"CollapseAutoConfiguration.CollapseEnabledConfiguration.collapsedMethodValidator",
			"CollapseAutoConfiguration.CollapseEnabledConfiguration.collapsedAdvisor");

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void enabledByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(LocalStore.class)
				.hasSingleBean(RefreshExecutor.class)
				.hasSingleBean(CollapseExecutor.class)
				.hasSingleBean(SettingsResolver.class)
				.hasSingleBean(CollapseRegistry.class)
				.hasSingleBean(CollapsedOperations.class)
				.hasSingleBean(CollapsedAdvisor.class)
				.hasSingleBean(CollapsedMethodValidator.class)
				.hasSingleBean(CollapseProperties.class)
				.hasSingleBean(Collapser.class);
			assertThat(context.getBean(Collapser.class)).isSameAs(context.getBean(CollapseRegistry.class));
			assertThat(context.getBean(CollapseRegistry.class).store()).isSameAs(context.getBean(LocalStore.class));
		});
	}

	@Test
	void enabledExplicitly() {
		this.runner.withPropertyValues("collapse.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(CollapseRegistry.class).hasSingleBean(CollapsedAdvisor.class));
	}

	@Test
	void disabledLeavesOnlyAPassThroughCollapser() {
		this.runner.withPropertyValues("collapse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(LocalStore.class)
				.doesNotHaveBean(RefreshExecutor.class)
				.doesNotHaveBean(CollapseExecutor.class)
				.doesNotHaveBean(SettingsResolver.class)
				.doesNotHaveBean(CollapseRegistry.class)
				.doesNotHaveBean(CollapsedOperations.class)
				.doesNotHaveBean(CollapsedAdvisor.class)
				.doesNotHaveBean(CollapsedMethodValidator.class)
				.hasSingleBean(Collapser.class);
			assertThat(context.getBean(Collapser.class)).isInstanceOf(PassThroughCollapser.class);
		});
	}

	@Test
	void userCollapserBacksOffWhenDisabled() {
		Collapser own = new PassThroughCollapser();
		this.runner.withPropertyValues("collapse.enabled=false")
			.withBean("ownCollapser", Collapser.class, () -> own)
			.run((context) -> assertThat(context).getBean(Collapser.class).isSameAs(own));
	}

	@Test
	void userLocalStoreBacksOffAndIsUsed() {
		LocalStore own = new LocalStore(5, Ticker.systemTicker());
		this.runner.withBean("ownStore", LocalStore.class, () -> own).run((context) -> {
			assertThat(context).getBean(LocalStore.class).isSameAs(own);
			assertThat(context.getBean(CollapseRegistry.class).store()).isSameAs(own);
		});
	}

	@Test
	void userRegistryBacksOffAndIsTheCollapser() {
		CollapseRegistry own = new CollapseRegistry(new LocalStore(5, Ticker.systemTicker()),
				(name) -> CollapseSettings.inFlightOnly(Duration.ofSeconds(1)), List.of(), null);
		this.runner.withBean("ownRegistry", CollapseRegistry.class, () -> own).run((context) -> {
			assertThat(context).getBean(CollapseRegistry.class).isSameAs(own);
			assertThat(context).getBean(Collapser.class).isSameAs(own);
		});
	}

	@Test
	void userSettingsResolverBacksOffAndResolvesAnnotatedMethods() {
		SettingsResolver own = (name, annotation, origin) -> new CollapseSettings(Duration.ofSeconds(9),
				Jitter.NONE, Duration.ofSeconds(1), true, 0, RetrySettings.NONE,
				Duration.ZERO);
		this.runner.withBean("ownResolver", SettingsResolver.class, () -> own).withBean(Annotated.class).run((context) -> {
			assertThat(context).getBean(SettingsResolver.class).isSameAs(own);
			assertThat(CollapseContexts.instance(context, "annotated").settings().ttl()).isEqualTo(Duration.ofSeconds(9));
		});
	}

	@Test
	void userRefreshExecutorBacksOff() {
		RefreshExecutor own = RefreshExecutor.of(Executors.newSingleThreadExecutor());
		try {
			this.runner.withBean("ownRefresh", RefreshExecutor.class, () -> own)
				.run((context) -> assertThat(context).getBean(RefreshExecutor.class).isSameAs(own));
		}
		finally {
			((ExecutorService) own.executor()).shutdownNow();
		}
	}

	@Test
	void collapsesWithoutSpringsAopAutoConfiguration() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class))
			.withBean(Annotated.class)
			.run((context) -> {
				Annotated annotated = context.getBean(Annotated.class);
				assertThat(AopUtils.isAopProxy(annotated)).isTrue();
				assertThat(annotated.load(1L)).isEqualTo(annotated.load(1L));
			});
	}

	@Test
	void annotatedMethodsAreProxiedAndCached() {
		this.runner.withBean(Annotated.class).run((context) -> {
			Annotated annotated = context.getBean(Annotated.class);
			assertThat(AopUtils.isAopProxy(annotated)).isTrue();
			assertThat(annotated.load(1L)).as("the same load, cached for a minute").isEqualTo(annotated.load(1L));
			assertThat(annotated.load(2L)).isNotEqualTo(annotated.load(1L));
		});
	}

	@Test
	void orderProperty() {
		this.runner.withPropertyValues("collapse.order=42")
			.run((context) -> assertThat(context.getBean(CollapsedAdvisor.class).getOrder()).isEqualTo(42));
		this.runner.run((context) -> assertThat(context.getBean(CollapsedAdvisor.class).getOrder())
			.isEqualTo(CollapseProperties.DEFAULT_ORDER));
	}

	@Test
	void maxEntriesBoundsTheStore() {
		this.runner.withPropertyValues("collapse.local.max-entries=10", "collapse.instances.annotated.ttl=1h")
			.withBean(Annotated.class)
			.run((context) -> {
				Annotated annotated = context.getBean(Annotated.class);
				for (long i = 0; i < 1_000; i++) {
					annotated.load(i);
				}
				LocalStore store = context.getBean(LocalStore.class);
				store.cleanUp();
				assertThat(store.estimatedSize()).isLessThanOrEqualTo(10);
			});
	}

	@Test
	void everyClassInTheImportsFileLoadsAndIsAnAutoConfiguration() throws Exception {
		List<String> names = importedClassNames();
		assertThat(names).contains(CollapseAutoConfiguration.class.getName());
		for (String name : names) {
			Class<?> type = Class.forName(name, true, getClass().getClassLoader());
			assertThat(type.isAnnotationPresent(AutoConfiguration.class)).as("%s is an @AutoConfiguration", name).isTrue();
			assertThat(Modifier.isFinal(type.getModifiers())).as("%s is final", name).isTrue();
		}
	}

	@Test
	void everyBeanBacksOffExceptTheListedInfrastructure() throws Exception {
		List<String> unconditional = new ArrayList<>();
		for (String name : importedClassNames()) {
			collectUnconditionalBeans(Class.forName(name), unconditional);
		}
		assertThat(unconditional).as("@Bean methods without @ConditionalOnMissingBean")
			.containsExactlyInAnyOrderElementsOf(INFRASTRUCTURE_BEANS);
		for (String infrastructure : INFRASTRUCTURE_BEANS) {
			Method method = beanMethod(infrastructure);
			assertThat(Modifier.isStatic(method.getModifiers())).as("%s is static", infrastructure).isTrue();
			Role role = method.getAnnotation(Role.class);
			assertThat(role).as("%s has a role", infrastructure).isNotNull();
			assertThat(role.value()).isEqualTo(BeanDefinition.ROLE_INFRASTRUCTURE);
		}
	}

	@Test
	void metadataDescribesEveryProperty() throws IOException {
		JsonNode metadata = GeneratedMetadata.read();
		Map<String, JsonNode> properties = new TreeMap<>();
		for (JsonNode property : metadata.get("properties")) {
			properties.put(property.get("name").asString(), property);
		}
		TreeSet<String> expected = new TreeSet<>();
		propertyNames("collapse", CollapseProperties.class, expected);
		assertThat(expected).contains("collapse.enabled", "collapse.order", "collapse.defaults.ttl",
				"collapse.defaults.jitter", "collapse.defaults.wait-timeout", "collapse.defaults.cache-nulls",
				"collapse.defaults.early-refresh.beta", "collapse.defaults.retry.max-attempts", "collapse.instances",
				"collapse.local.max-entries", "collapse.redis.enabled");
		assertThat(properties.keySet()).containsAll(expected);
		for (Map.Entry<String, JsonNode> property : properties.entrySet()) {
			if (!property.getKey().startsWith("collapse.")) {
				continue;
			}
			JsonNode description = property.getValue().get("description");
			assertThat(description).as("description of %s", property.getKey()).isNotNull();
			assertThat(description.asString()).as("description of %s", property.getKey()).isNotBlank();
		}
	}

	/** The property names of a {@code @ConfigurationProperties} class, its nested groups walked. */
	private static void propertyNames(String prefix, Class<?> type, TreeSet<String> names) {
		for (Method getter : type.getMethods()) {
			String name = getter.getName();
			if (getter.getParameterCount() != 0 || getter.getDeclaringClass() == Object.class
					|| Modifier.isStatic(getter.getModifiers())) {
				continue;
			}
			String property;
			if (name.startsWith("get")) {
				property = name.substring(3);
			}
			else if (name.startsWith("is") && getter.getReturnType() == boolean.class) {
				property = name.substring(2);
			}
			else {
				continue;
			}
			String kebab = prefix + "." + property.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
			Class<?> returned = getter.getReturnType();
			if (returned.getName().startsWith("dev.collapse.autoconfigure.")) {
				propertyNames(kebab, returned, names);
			}
			else {
				names.add(kebab);
			}
		}
	}

	private static void collectUnconditionalBeans(Class<?> type, List<String> unconditional) {
		for (Method method : type.getDeclaredMethods()) {
			if (method.isAnnotationPresent(Bean.class) && !method.isAnnotationPresent(ConditionalOnMissingBean.class)) {
				unconditional.add(path(type) + "." + method.getName());
			}
		}
		for (Class<?> nested : type.getDeclaredClasses()) {
			collectUnconditionalBeans(nested, unconditional);
		}
	}

	private static String path(Class<?> type) {
		return (type.getEnclosingClass() != null) ? path(type.getEnclosingClass()) + "." + type.getSimpleName()
				: type.getSimpleName();
	}

	private static Method beanMethod(String path) throws Exception {
		String[] parts = path.split("\\.");
		Class<?> type = Class.forName(CollapseAutoConfiguration.class.getPackageName() + "." + parts[0]);
		for (int i = 1; i < parts.length - 1; i++) {
			String simpleName = parts[i];
			type = Arrays.stream(type.getDeclaredClasses())
				.filter((nested) -> nested.getSimpleName().equals(simpleName))
				.findFirst()
				.orElseThrow();
		}
		String methodName = parts[parts.length - 1];
		return Arrays.stream(type.getDeclaredMethods())
			.filter((method) -> method.getName().equals(methodName))
			.findFirst()
			.orElseThrow();
	}

	private List<String> importedClassNames() throws IOException {
		List<String> names = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources(IMPORTS))) {
			try (InputStream in = url.openStream()) {
				for (String line : StreamUtils.copyToString(in, StandardCharsets.UTF_8).split("\n")) {
					String name = line.strip();
					if (name.startsWith("dev.collapse.") && !name.startsWith("#")) {
						names.add(name);
					}
				}
			}
		}
		assertThat(names).as("classes in %s", IMPORTS).isNotEmpty();
		return names;
	}

	public static class Annotated {

		private final AtomicInteger loads = new AtomicInteger();

		@Collapsed(name = "annotated", ttl = "1m")
		public String load(Long id) {
			return id + "#" + this.loads.incrementAndGet();
		}

	}

}
