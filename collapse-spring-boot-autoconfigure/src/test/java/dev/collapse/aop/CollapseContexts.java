package dev.collapse.aop;

import java.util.Objects;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** Application contexts as a user gets them: Spring's AOP auto-configuration and ours. */
public final class CollapseContexts {

	private CollapseContexts() {
	}

	public static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, CollapseAutoConfiguration.class));
	}

	/** The instance named {@code name}, created at startup for an annotated method. */
	public static CollapseInstance instance(ApplicationContext context, String name) {
		return context.getBean(CollapseRegistry.class)
			.find(name)
			.orElseThrow(() -> new AssertionError("no collapse instance named '" + name + "'"));
	}

	/** The configuration exception that stopped {@code runner} with {@code bean}; fails if it started. */
	public static CollapseConfigurationException startupFailure(ApplicationContextRunner runner, Class<?> bean) {
		CollapseConfigurationException[] failure = new CollapseConfigurationException[1];
		runner.withBean(bean).run((context) -> {
			assertThat(context).hasFailed();
			failure[0] = configurationFailure(context.getStartupFailure());
		});
		return failure[0];
	}

	/** The configuration exception that stopped a context, wherever it is in the cause chain. */
	public static CollapseConfigurationException configurationFailure(Throwable startupFailure) {
		Objects.requireNonNull(startupFailure, "the context started");
		for (Throwable cause = startupFailure; cause != null; cause = cause.getCause()) {
			if (cause instanceof CollapseConfigurationException ex) {
				return ex;
			}
		}
		throw new AssertionError("startup failed without a CollapseConfigurationException", startupFailure);
	}

}
