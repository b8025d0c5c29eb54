package dev.collapse.aop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each return type through the proxy ({@code void} has VoidMethodsTest): values and
 * {@code Optional} are collapsed like any value,
 * futures give each caller its own future, a {@code Mono} is lazy and collapsed per subscription,
 * and types that cannot share one result are refused at startup.
 */
class ReturnTypesTest {

	@Test
	void optionalIsCollapsedLikeAValue() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "shapes-optional");
			CountDownLatch loadMayFinish = new CountDownLatch(1);
			probe.duringLoad = () -> Herd.hold(loadMayFinish);
			List<Future<Optional<String>>> callers = new ArrayList<>();
			try (Herd herd = new Herd(20)) {
				for (int i = 0; i < 20; i++) {
					callers.add(herd.add(() -> shapes.optional("a")));
				}
				herd.release();
				Herd.awaitFollowers(instance, "a", 19);
				loadMayFinish.countDown();
				for (Future<Optional<String>> caller : callers) {
					assertThat(Herd.result(caller)).contains("a");
				}
			}
			assertThat(probe.calls).hasValue(1);
			probe.duringLoad = () -> {
			};
			assertThat(shapes.optional("empty")).isEmpty();
		});
	}

	@Test
	void completableFutureCallersShareOneLoadAndCancellingOneCancelsNothingElse() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "shapes-future");
			List<CompletableFuture<String>> callers = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				callers.add(shapes.future("a"));
			}
			assertThat(probe.calls).hasValue(1);
			assertThat(Herd.followers(instance, "a")).isEqualTo(9);
			assertThat(callers).doesNotHaveDuplicates();
			assertThat(callers).noneMatch((caller) -> caller == probe.pending);
			callers.get(0).cancel(true);
			callers.get(5).cancel(true);
			assertThat(probe.pending).as("the shared load").isNotCancelled().isNotDone();
			assertThat(instance.inflight()).isOne();
			probe.pending.complete("value");
			for (int i = 0; i < callers.size(); i++) {
				if (i == 0 || i == 5) {
					assertThat(callers.get(i)).isCancelled();
				}
				else {
					assertThat(callers.get(i)).succeedsWithin(Herd.PATIENCE).isEqualTo("value");
				}
			}
			assertThat(instance.inflight()).isZero();
		});
	}

	@Test
	void completionStageCallersShareOneLoadAndCancellingOneCancelsNothingElse() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			List<CompletableFuture<String>> callers = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				callers.add(shapes.stage("a").toCompletableFuture());
			}
			assertThat(probe.calls).hasValue(1);
			callers.get(3).cancel(true);
			assertThat(probe.pending).isNotCancelled();
			probe.pending.complete("value");
			assertThat(callers.get(3)).isCancelled();
			callers.remove(3);
			for (CompletableFuture<String> caller : callers) {
				assertThat(caller).succeedsWithin(Herd.PATIENCE).isEqualTo("value");
			}
		});
	}

	@Test
	void failedFutureReachesEveryCaller() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			List<CompletableFuture<String>> callers = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				callers.add(shapes.future("a"));
			}
			IllegalStateException failure = new IllegalStateException("upstream down");
			probe.pending.completeExceptionally(failure);
			for (CompletableFuture<String> caller : callers) {
				assertThat(caller).failsWithin(Herd.PATIENCE)
					.withThrowableOfType(ExecutionException.class)
					.withCause(failure);
			}
			assertThat(probe.calls).hasValue(1);
		});
	}

	@Test
	void monoIsLazyAndCollapsedAcrossConcurrentSubscribers() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "shapes-mono");
			List<Mono<String>> monos = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				monos.add(shapes.mono("a"));
			}
			assertThat(probe.calls).as("nothing runs before a subscription").hasValue(0);
			assertThat(instance.inflight()).isZero();

			List<CompletableFuture<String>> subscribers = new ArrayList<>();
			for (Mono<String> mono : monos) {
				subscribers.add(mono.toFuture());
			}
			assertThat(probe.calls).hasValue(1);
			assertThat(Herd.followers(instance, "a")).isEqualTo(9);
			probe.pending.complete("value");
			for (CompletableFuture<String> subscriber : subscribers) {
				assertThat(subscriber).succeedsWithin(Herd.PATIENCE).isEqualTo("value");
			}

			probe.pending = new CompletableFuture<>();
			CompletableFuture<String> again = monos.get(0).toFuture();
			assertThat(probe.calls).as("each subscription after the load runs again (ttl 0)").hasValue(2);
			probe.pending.complete("second");
			assertThat(again).succeedsWithin(Herd.PATIENCE).isEqualTo("second");
		});
	}

	@Test
	void monoSubscriberThatCancelsLeavesTheLoadToTheOthers() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			Disposable first = shapes.mono("a").subscribe();
			CompletableFuture<String> second = shapes.mono("a").toFuture();
			first.dispose();
			assertThat(probe.pending).isNotCancelled();
			probe.pending.complete("value");
			assertThat(second).succeedsWithin(Herd.PATIENCE).isEqualTo("value");
			assertThat(probe.calls).hasValue(1);
		});
	}

	@Test
	void emptyMonoAndFailedMonoReachEverySubscriber() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			CompletableFuture<String> first = shapes.mono("a").toFuture();
			CompletableFuture<String> second = shapes.mono("a").toFuture();
			probe.pending.complete(null);
			assertThat(first).succeedsWithin(Herd.PATIENCE).isNull();
			assertThat(second).succeedsWithin(Herd.PATIENCE).isNull();

			probe.pending = new CompletableFuture<>();
			first = shapes.mono("a").toFuture();
			second = shapes.mono("a").toFuture();
			IllegalStateException failure = new IllegalStateException("upstream down");
			probe.pending.completeExceptionally(failure);
			assertThat(first).failsWithin(Herd.PATIENCE)
				.withThrowableOfType(ExecutionException.class)
				.withCause(failure);
			assertThat(second).failsWithin(Herd.PATIENCE)
				.withThrowableOfType(ExecutionException.class)
				.withCause(failure);
			assertThat(probe.calls).hasValue(2);
		});
	}

	@Test
	void monoLoadSeesTheLeadingSubscribersContext() {
		// as without collapse: reactive security and tracing live in the subscriber's Context
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Mono<String> mono = shapes.tenant("a").contextWrite(Context.of("tenant", "t1"));
			assertThat(mono.toFuture()).succeedsWithin(Herd.PATIENCE).isEqualTo("a for t1");
		});
	}

	@Test
	void futureMethodReturningNullFailsItsCallersClearly() {
		CollapseContexts.runner().withUserConfiguration(ShapesConfiguration.class).run((context) -> {
			Shapes shapes = context.getBean(Shapes.class);
			Probe probe = context.getBean(Probe.class);
			probe.pending = null;
			assertThat(shapes.future("a")).failsWithin(Herd.PATIENCE)
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(NullPointerException.class)
				.withMessageContaining("shapes-future")
				.withMessageContaining("null CompletionStage");
		});
	}

	@Test
	void annotationOnAnInterfaceMethodIsHonoured() {
		CollapseContexts.runner().withBean(Counter.class).run((context) -> {
			Counted counted = context.getBean(Counted.class);
			assertThat(counted.next("a")).isEqualTo(counted.next("a"));
			assertThat(CollapseContexts.instance(context, "counted").settings().ttl()).isEqualTo(Duration.ofMinutes(1));
		});
	}

	public interface Counted {

		@Collapsed(name = "counted", ttl = "1m")
		String next(String key);

	}

	public static class Counter implements Counted {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public String next(String key) {
			return key + this.count.incrementAndGet();
		}

	}

	@ParameterizedTest
	@ValueSource(classes = { FluxMethod.class, StreamMethod.class, IteratorMethod.class,
			FutureMethod.class, FutureTaskMethod.class })
	void typesThatCannotShareOneResultAreRefusedAtStartup(Class<?> bean) {
		CollapseContexts.runner().withBean(bean).run((context) -> {
			assertThat(context).hasFailed();
			CollapseConfigurationException failure = CollapseContexts.configurationFailure(context.getStartupFailure());
			assertThat(failure.getMessage()).contains(bean.getName() + ".load(");
			assertThat(failure.getProblem()).contains(bean.getMethod("load").getReturnType().getSimpleName());
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class ShapesConfiguration {

		@Bean
		Probe probe() {
			return new Probe();
		}

		@Bean
		Shapes shapes(Probe probe) {
			return new Shapes(probe);
		}

	}

	static class Probe {

		final AtomicInteger calls = new AtomicInteger();

		volatile Runnable duringLoad = () -> {
		};

		volatile CompletableFuture<String> pending = new CompletableFuture<>();

	}

	static class Shapes {

		private final Probe probe;

		Shapes(Probe probe) {
			this.probe = probe;
		}

		@Collapsed(name = "shapes-optional", ttl = "0")
		public Optional<String> optional(String id) {
			this.probe.calls.incrementAndGet();
			this.probe.duringLoad.run();
			return id.equals("empty") ? Optional.empty() : Optional.of(id);
		}

		@Collapsed(name = "shapes-future", ttl = "0")
		public CompletableFuture<String> future(String id) {
			this.probe.calls.incrementAndGet();
			return this.probe.pending;
		}

		@Collapsed(name = "shapes-stage", ttl = "0")
		public CompletionStage<String> stage(String id) {
			this.probe.calls.incrementAndGet();
			return this.probe.pending;
		}

		@Collapsed(name = "shapes-tenant", ttl = "0")
		public Mono<String> tenant(String id) {
			return Mono.deferContextual((context) -> Mono.just(id + " for " + context.getOrDefault("tenant", "nobody")));
		}

		@Collapsed(name = "shapes-mono", ttl = "0")
		public Mono<String> mono(String id) {
			this.probe.calls.incrementAndGet();
			// cancels the pending future when its own subscription is cancelled: the test checks none is
			return Mono.fromFuture(this.probe.pending);
		}

	}

	public static class FluxMethod {

		@Collapsed
		public Flux<String> load() {
			return Flux.just("a", "b");
		}

	}

	public static class StreamMethod {

		@Collapsed
		public Stream<String> load() {
			return Stream.of("a");
		}

	}

	public static class IteratorMethod {

		@Collapsed
		public Iterator<String> load() {
			return List.of("a").iterator();
		}

	}

	public static class FutureMethod {

		@Collapsed
		public Future<String> load() {
			return CompletableFuture.completedFuture("a");
		}

	}

	public static class FutureTaskMethod {

		@Collapsed
		public FutureTask<String> load() {
			return new FutureTask<>(() -> "a");
		}

	}

}
