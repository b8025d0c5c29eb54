package dev.collapse.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.aop.CollapseEvictAdvisor;
import dev.collapse.aop.EvictOperations;
import dev.collapse.core.PassThroughCollapser;

import static org.assertj.core.api.Assertions.assertThat;

/** The beans behind {@code @CollapseEvict}: present when enabled, backing off, absent when disabled. */
class CollapseEvictAutoConfigurationTest {

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void enabledByDefault() {
		this.runner.withBean(Writer.class).run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(EvictOperations.class).hasSingleBean(CollapseEvictAdvisor.class);
			assertThat(AopUtils.isAopProxy(context.getBean(Writer.class))).isTrue();
		});
	}

	@Test
	void userOperationsBackOffAndAreUsed() {
		this.runner.withBean(Writer.class)
			.withBean("custom", EvictOperations.class,
					() -> new EvictOperations(new PassThroughCollapser(), getClass().getClassLoader()))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(EvictOperations.class);
				assertThat(context).getBean(EvictOperations.class).isSameAs(context.getBean("custom"));
			});
	}

	@Test
	void orderPropertyAppliesToEvictionsToo() {
		this.runner.withPropertyValues("collapse.order=42")
			.run((context) -> assertThat(context.getBean(CollapseEvictAdvisor.class).getOrder()).isEqualTo(42));
	}

	@Test
	void disabledEvictsNothingAndProxiesNothing() {
		this.runner.withBean(Writer.class).withPropertyValues("collapse.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(EvictOperations.class).doesNotHaveBean(CollapseEvictAdvisor.class);
			assertThat(AopUtils.isAopProxy(context.getBean(Writer.class))).isFalse();
		});
	}

	public static class Writer {

		@CollapseEvict(name = "products", key = "#id")
		public void save(long id) {
		}

	}

}
