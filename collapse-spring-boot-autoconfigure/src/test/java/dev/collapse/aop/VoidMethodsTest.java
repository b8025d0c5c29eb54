package dev.collapse.aop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A {@code void} method's value is its completion: concurrent callers share one run and its
 * exception, and with a ttl the completion is reused, so nothing runs again until it ends.
 */
class VoidMethodsTest {

	@Test
	void concurrentCallersOfAVoidMethodShareOneRun() {
		CollapseContexts.runner().withUserConfiguration(Config.class).run((context) -> {
			Rebuild rebuild = context.getBean(Rebuild.class);
			Runs runs = context.getBean(Runs.class);
			CollapseInstance instance = CollapseContexts.instance(context, "rebuild");
			CountDownLatch runMayFinish = new CountDownLatch(1);
			runs.during = () -> Herd.hold(runMayFinish);
			List<Future<Object>> callers = new ArrayList<>();
			try (Herd herd = new Herd(16)) {
				for (int i = 0; i < 16; i++) {
					callers.add(herd.add(() -> {
						rebuild.rebuild("index");
						return "done";
					}));
				}
				herd.release();
				Herd.awaitFollowers(instance, "index", 15);
				runMayFinish.countDown();
				for (Future<Object> caller : callers) {
					assertThat(Herd.result(caller)).isEqualTo("done");
				}
			}
			assertThat(runs.count).hasValue(1);
		});
	}

	@Test
	void withATtlTheCompletionIsReusedUntilItEnds() {
		CollapseContexts.runner().withUserConfiguration(Config.class).run((context) -> {
			Rebuild rebuild = context.getBean(Rebuild.class);
			Runs runs = context.getBean(Runs.class);
			rebuild.cached("a");
			rebuild.cached("a");
			rebuild.cached("b");
			assertThat(runs.count).hasValue(2);
		});
	}

	@Test
	void aFailedRunReachesItsCallerAndIsNotReused() {
		CollapseContexts.runner().withUserConfiguration(Config.class).run((context) -> {
			Rebuild rebuild = context.getBean(Rebuild.class);
			Runs runs = context.getBean(Runs.class);
			runs.during = () -> {
				throw new IllegalStateException("disk full");
			};
			assertThatIllegalStateException().isThrownBy(() -> rebuild.cached("a")).withMessage("disk full");
			runs.during = () -> {
			};
			rebuild.cached("a");
			assertThat(runs.count).hasValue(2);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Runs runs() {
			return new Runs();
		}

		@Bean
		Rebuild rebuild(Runs runs) {
			return new Rebuild(runs);
		}

	}

	/** What the runs did; apart from the proxied bean, whose fields a proxy does not share. */
	static class Runs {

		final AtomicInteger count = new AtomicInteger();

		volatile Runnable during = () -> {
		};

		void run() {
			this.count.incrementAndGet();
			this.during.run();
		}

	}

	public static class Rebuild {

		private final Runs runs;

		Rebuild(Runs runs) {
			this.runs = runs;
		}

		@Collapsed(name = "rebuild")
		public void rebuild(String index) {
			this.runs.run();
		}

		@Collapsed(name = "rebuild-cached", ttl = "1h")
		public void cached(String index) {
			this.runs.run();
		}

	}

}
