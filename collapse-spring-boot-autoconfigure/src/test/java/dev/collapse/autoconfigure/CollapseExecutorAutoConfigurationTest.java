package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseExecutor;
import dev.collapse.core.CollapseRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code collapseExecutor} bean, where the code collapse's timers make due runs: sized by
 * {@code collapse.executor.*}, replaced by the application's own, closed with the context when it
 * is ours, and never in the way of Spring Boot's own executor.
 */
class CollapseExecutorAutoConfigurationTest {

	/** Retried once, at once, so that the retry goes through the executor. */
	private static final String[] RETRIED = { "collapse.defaults.retry.max-attempts=2",
			"collapse.defaults.retry.base-delay=0", "collapse.defaults.retry.max-delay=0" };

	private final ApplicationContextRunner runner = CollapseContexts.runner();

	@Test
	void propertiesSizeThePoolAndTheContextClosesIt() {
		AtomicReference<ThreadPoolExecutor> pool = new AtomicReference<>();
		this.runner.withPropertyValues("collapse.executor.max-threads=3", "collapse.executor.queue-capacity=7")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean("collapseExecutor");
				pool.set((ThreadPoolExecutor) context.getBean(CollapseExecutor.class).executor());
				assertThat(pool.get().getMaximumPoolSize()).isEqualTo(3);
				assertThat(pool.get().getQueue().remainingCapacity()).isEqualTo(7);
			});
		assertThat(pool.get().isShutdown()).as("our pool, once the context is closed").isTrue();
	}

	@Test
	void aPoolWithoutThreadsFailsAtStartupNamingTheProperty() {
		this.runner.withPropertyValues("collapse.executor.max-threads=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("collapse.executor.max-threads");
		});
		this.runner.withPropertyValues("collapse.executor.queue-capacity=0")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("collapse.executor.queue-capacity"));
	}

	@Test
	void userExecutorBacksOffRunsTheRetriesAndStaysOpen() {
		ExecutorService theirs = Executors.newSingleThreadExecutor((task) -> new Thread(task, "their-thread"));
		AtomicInteger runs = new AtomicInteger();
		CollapseExecutor own = CollapseExecutor.of((task) -> {
			runs.incrementAndGet();
			theirs.execute(task);
		});
		try {
			this.runner.withPropertyValues(RETRIED).withBean("ownExecutor", CollapseExecutor.class, () -> own).run((context) -> {
				assertThat(context).getBean(CollapseExecutor.class).isSameAs(own);
				AtomicInteger attempts = new AtomicInteger();
				AtomicReference<String> retriedOn = new AtomicReference<>();
				CompletableFuture<String> call = context.getBean(CollapseRegistry.class).collapseAsync("n", "k", () -> {
					if (attempts.incrementAndGet() == 1) {
						return CompletableFuture.failedFuture(new IllegalStateException("upstream down"));
					}
					retriedOn.set(Thread.currentThread().getName());
					return CompletableFuture.completedFuture("v");
				});
				assertThat(call).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("v");
				assertThat(retriedOn.get()).isEqualTo("their-thread");
				assertThat(runs.get()).isPositive();
			});
			assertThat(theirs.isShutdown()).as("the application's executor, after the context closed").isFalse();
		}
		finally {
			theirs.shutdownNow();
		}
	}

	/**
	 * Not an {@code Executor} bean: Spring Boot's {@code applicationTaskExecutor} (used by
	 * {@code @Async} and Spring MVC's async requests) backs off when one exists.
	 */
	@Test
	void bootsApplicationTaskExecutorStays() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasBean("applicationTaskExecutor")
				.hasSingleBean(CollapseExecutor.class));
	}

}
