package dev.collapse.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.support.SimpleTriggerContext;

import dev.collapse.annotation.OncePerFleet;
import dev.collapse.annotation.Spread;
import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseScheduleAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @Spread} job's fires are driven by hand through a scheduler that records what it is
 * asked: each fire returns at once, its run handed to the scheduler for a start uniform over the
 * window after the nominal fire time (Kolmogorov-Smirnov over 2,000 fires), never on the fire's
 * thread.
 */
class SpreadTest {

	static final int FIRES = 2_000;

	static final Duration SPREAD = Duration.ofSeconds(30);

	@Test
	void startsFallUniformlyAcrossTheWindowAndNoFireHoldsTheSchedulerThread() {
		runner().run((context) -> {
			RecordingScheduler scheduler = context.getBean(RecordingScheduler.class);
			Runs refresh = context.getBean(Runs.class);
			assertThat(scheduler.cron).as("the @Scheduled task").hasSize(1);
			Runnable fire = scheduler.cron.get(0);
			Trigger trigger = scheduler.triggers.get(0);
			SimpleTriggerContext triggerContext = new SimpleTriggerContext();
			double[] offsets = new double[FIRES];
			for (int i = 0; i < FIRES; i++) {
				Instant nominal = trigger.nextExecution(triggerContext);
				fire.run();
				triggerContext.update(nominal, nominal, nominal);
				Instant start = scheduler.starts.get(i);
				offsets[i] = Duration.between(nominal, start).toNanos() / (double) SPREAD.toNanos();
			}
			// the fires only handed their runs over: nothing ran on the scheduler's thread
			assertThat(refresh.runs).hasValue(0);
			assertThat(Arrays.stream(offsets).min().getAsDouble()).isGreaterThanOrEqualTo(0.0);
			assertThat(Arrays.stream(offsets).max().getAsDouble()).isLessThanOrEqualTo(1.0);
			double distance = kolmogorovSmirnov(offsets);
			// critical value 1.95/sqrt(n) at a significance of 0.001
			assertThat(distance).isLessThan(1.95 / Math.sqrt(FIRES));
			// a run handed over runs the job, knowing its nominal fire time
			scheduler.later.get(0).run();
			assertThat(refresh.runs).hasValue(1);
			assertThat(refresh.sawFireTime).isTrue();
		});
	}

	@Test
	void aDirectCallRunsAtOnce() {
		runner().run((context) -> {
			context.getBean(Refresh.class).refresh();
			assertThat(context.getBean(Runs.class).runs).hasValue(1);
			assertThat(context.getBean(RecordingScheduler.class).starts).isEmpty();
		});
	}

	@Test
	void aCronJobCallingSpreadAndOncePerFleetMethodsRunsThemAtOnceAsPlainCalls() {
		runner().withUserConfiguration(CallerConfig.class).run((context) -> {
			RecordingScheduler scheduler = context.getBean(RecordingScheduler.class);
			int caller = scheduler.cron.stream().map(String::valueOf).toList().indexOf(Caller.class.getName() + ".call");
			assertThat(caller).as("the caller's @Scheduled task").isNotNegative();
			Instant nominal = scheduler.triggers.get(caller).nextExecution(new SimpleTriggerContext());
			assertThat(nominal).isNotNull();
			scheduler.cron.get(caller).run();
			// the spread method ran on the caller's thread, nothing was handed over
			assertThat(context.getBean(Runs.class).runs).hasValue(1);
			assertThat(scheduler.starts).isEmpty();
			// both calls of the once-per-fleet method ran, neither went through its job
			assertThat(context.getBean(Runs.class).once).hasValue(2);
			ScheduledJobs.Job job = context.getBean(ScheduledJobs.class).jobs().iterator().next();
			assertThat(job.count(ScheduledJobs.Outcome.RUN) + job.count(ScheduledJobs.Outcome.SKIPPED)).isZero();
		});
	}

	/** A job of a scheduler of its own ({@code @Scheduled(scheduler = ...)}) has its spread runs started by it too. */
	@Test
	void aSpreadRunStartsOnTheSchedulerItsJobNames() {
		runner().withUserConfiguration(OwnSchedulerConfig.class).run((context) -> {
			RecordingScheduler jobs = context.getBean("jobs", RecordingScheduler.class);
			RecordingScheduler main = context.getBean("taskScheduler", RecordingScheduler.class);
			int own = jobs.cron.stream().map(String::valueOf).toList().indexOf(OwnScheduler.class.getName() + ".refresh");
			assertThat(own).as("the job's @Scheduled task, on its own scheduler").isNotNegative();
			assertThat(jobs.triggers.get(own).nextExecution(new SimpleTriggerContext())).isNotNull();
			jobs.cron.get(own).run();
			assertThat(jobs.starts).as("spread starts on the job's scheduler").hasSize(1);
			assertThat(main.starts).as("spread starts on the default scheduler").isEmpty();
		});
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, CollapseAutoConfiguration.class,
					CollapseScheduleAutoConfiguration.class))
			.withUserConfiguration(Config.class);
	}

	/** The largest gap between the empirical distribution of {@code samples} and uniform on [0, 1]. */
	static double kolmogorovSmirnov(double[] samples) {
		double[] sorted = samples.clone();
		Arrays.sort(sorted);
		double distance = 0;
		for (int i = 0; i < sorted.length; i++) {
			distance = Math.max(distance, Math.max((i + 1.0) / sorted.length - sorted[i], sorted[i] - i / (double) sorted.length));
		}
		return distance;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class Config {

		@Bean
		RecordingScheduler taskScheduler() {
			return new RecordingScheduler();
		}

		@Bean
		Runs runs() {
			return new Runs();
		}

		@Bean
		Refresh refresh(Runs runs) {
			return new Refresh(runs);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CallerConfig {

		@Bean
		Once once(Runs runs) {
			return new Once(runs);
		}

		@Bean
		Caller caller(Refresh refresh, Once once) {
			return new Caller(refresh, once);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnSchedulerConfig {

		@Bean
		RecordingScheduler jobs() {
			return new RecordingScheduler();
		}

		@Bean
		OwnScheduler ownScheduler(Runs runs) {
			return new OwnScheduler(runs);
		}

	}

	public static class OwnScheduler {

		private final Runs runs;

		OwnScheduler(Runs runs) {
			this.runs = runs;
		}

		@Scheduled(cron = "0 * * * * *", scheduler = "jobs")
		@Spread("30s")
		public void refresh() {
			this.runs.runs.incrementAndGet();
		}

	}

	/** A plain cron job that calls the annotated methods of other beans directly. */
	public static class Caller {

		private final Refresh refresh;

		private final Once once;

		Caller(Refresh refresh, Once once) {
			this.refresh = refresh;
			this.once = once;
		}

		@Scheduled(cron = "0 * * * * *")
		public void call() {
			this.refresh.refresh();
			this.once.clean();
			this.once.clean();
		}

	}

	public static class Once {

		private final Runs runs;

		Once(Runs runs) {
			this.runs = runs;
		}

		@Scheduled(cron = "0 0 * * * *")
		@OncePerFleet(name = "once")
		public void clean() {
			this.runs.once.incrementAndGet();
		}

	}

	/** What the job did; apart from the proxied bean, whose fields a proxy does not share. */
	static final class Runs {

		final AtomicInteger runs = new AtomicInteger();

		final AtomicInteger once = new AtomicInteger();

		volatile boolean sawFireTime;

	}

	public static class Refresh {

		private final Runs runs;

		Refresh(Runs runs) {
			this.runs = runs;
		}

		@Scheduled(cron = "0 * * * * *")
		@Spread("30s")
		public void refresh() {
			this.runs.sawFireTime = FireTime.nominal() != null;
			this.runs.runs.incrementAndGet();
		}

	}

	/** Runs nothing by itself: records the trigger tasks, and the one-shot starts it is asked for. */
	static final class RecordingScheduler implements TaskScheduler {

		final List<Runnable> cron = new CopyOnWriteArrayList<>();

		final List<Trigger> triggers = new CopyOnWriteArrayList<>();

		final List<Instant> starts = new ArrayList<>();

		final List<Runnable> later = new ArrayList<>();

		@Override
		public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
			this.cron.add(task);
			this.triggers.add(trigger);
			return null;
		}

		@Override
		public synchronized ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
			this.starts.add(startTime);
			this.later.add(task);
			return null;
		}

		@Override
		public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
			throw new UnsupportedOperationException();
		}

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
			throw new UnsupportedOperationException();
		}

	}

}
