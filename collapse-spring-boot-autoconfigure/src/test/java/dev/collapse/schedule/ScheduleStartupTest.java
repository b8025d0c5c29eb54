package dev.collapse.schedule;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.scheduling.annotation.Scheduled;

import dev.collapse.actuate.CollapseEndpoint;
import dev.collapse.actuate.CollapseStatistics;
import dev.collapse.annotation.Collapsed;
import dev.collapse.annotation.OncePerFleet;
import dev.collapse.annotation.Spread;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseScheduleAutoConfiguration;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/** What a scheduled job's annotations may be on, checked at startup with the method named. */
class ScheduleStartupTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations
		.of(AopAutoConfiguration.class, CollapseAutoConfiguration.class, CollapseScheduleAutoConfiguration.class));

	@Test
	void aCronJobBecomesAnInstanceKeptForTwiceItsPeriodAndAJob() {
		this.runner.withBean(Hourly.class).run((context) -> {
			assertThat(context).hasNotFailed();
			CollapseInstance instance = CollapseContexts.instance(context, "cleanup");
			assertThat(instance.settings().ttl()).isEqualTo(Duration.ofHours(2));
			// a run holds its fire time for up to keep, not for the 60s of cached loads
			assertThat(instance.settings().loadTimeout()).isEqualTo(Duration.ofHours(2));
			assertThat(instance.settings().earlyRefreshBeta()).isZero();
			ScheduledJobs jobs = context.getBean(ScheduledJobs.class);
			assertThat(jobs.jobs()).singleElement()
				.satisfies((job) -> assertThat(job.cron()).isEqualTo("0 0 * * * *"));
			CollapseEndpoint endpoint = new CollapseEndpoint(context.getBean(CollapseRegistry.class),
					new CollapseStatistics(10, Duration.ofMinutes(1), false), null, jobs);
			assertThat(endpoint.collapse().schedules()).containsOnlyKeys("cleanup");
			assertThat(endpoint.collapse().schedules().get("cleanup").runs()).containsOnlyKeys("run", "failed",
					"skipped", "lost");
		});
	}

	@Test
	void aJobsOwnLoadTimeoutBoundsItsRunsAndABadOneStopsTheStart() {
		this.runner.withBean(Hourly.class).withPropertyValues("collapse.instances.cleanup.load-timeout=5m")
			.run((context) -> assertThat(CollapseContexts.instance(context, "cleanup").settings().loadTimeout())
				.isEqualTo(Duration.ofMinutes(5)));
		this.runner.withBean(Hourly.class).withPropertyValues("collapse.instances.cleanup.wait-timeout=-1s")
			.run((context) -> assertThat(CollapseContexts.configurationFailure(context.getStartupFailure()).getMessage())
				.contains("collapse.instances.cleanup.wait-timeout"));
	}

	@Test
	void aJobThatReturnsAValueIsRefused() {
		assertFailure(ReturnsValue.class, "ReturnsValue.clean()", "void");
	}

	@Test
	void aFixedRateIsRefusedForOncePerFleet() {
		assertFailure(FixedRate.class, "FixedRate.clean()", "cron", "differ from node to node");
	}

	@Test
	void aMethodWithoutScheduledIsRefused() {
		assertFailure(NotScheduled.class, "NotScheduled.clean()", "@Scheduled");
	}

	@Test
	void collapsedAndOncePerFleetTogetherAreRefused() {
		assertFailure(Both.class, "Both.clean()", "@Collapsed");
	}

	@Test
	void aSpreadThatIsNoDurationIsRefused() {
		assertFailure(BadSpread.class, "BadSpread.clean()", "value = \"soon\"");
	}

	@Test
	void aSpreadOnAFixedDelayIsRefused() {
		assertFailure(SpreadFixedDelay.class, "SpreadFixedDelay.clean()", "fixed rate or delay", "never be spread");
	}

	@Test
	void aJobNameTakenByAnotherMethodIsRefusedNamingBoth() {
		assertThat(CollapseContexts.startupFailure(this.runner.withBean(Hourly.class), SameName.class).getMessage())
			.contains("SameName.sweep()", "\"cleanup\" is taken by " + Hourly.class.getName() + ".clean()");
	}

	@Test
	void twoClassesOfOneSimpleNameAreRefused() {
		assertThat(CollapseContexts.startupFailure(this.runner.withBean(First.Nightly.class), Second.Nightly.class)
			.getMessage()).contains("\"Nightly.clean\" is taken by", "First$Nightly.clean()",
					"Second$Nightly.clean()");
	}

	@Test
	void anInheritedJobIsOneJobPerBeanClass() {
		// a subclass beside a bean of its superclass too: the way out for two beans of one class
		this.runner.withBean(Daily.class).withBean(Weekly.class).withBean(Daily.Late.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ScheduledJobs.class).jobs()).extracting(ScheduledJobs.Job::name)
				.containsExactlyInAnyOrder("Daily.clean", "Weekly.clean", "Late.clean");
		});
	}

	@Test
	void twoBeansOfOneJobClassAreRefusedNamingBoth() {
		this.runner.withBean("hourlyA", Hourly.class).withBean("hourlyB", Hourly.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(CollapseContexts.configurationFailure(context.getStartupFailure()).getMessage()).contains(
					Hourly.class.getName(), "'hourlyA' and 'hourlyB'", "only one of them would run");
		});
	}

	@Test
	void aCronZoneGivenByAPlaceholderIsResolved() {
		this.runner.withPropertyValues("jobs.zone=Europe/Paris").withBean(Zoned.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(CollapseContexts.instance(context, "zoned").settings().ttl()).isEqualTo(Duration.ofHours(2));
		});
	}

	/**
	 * A node that skipped a fire time checks it at its next fire: the completion must still be
	 * there after the longest gap between two fire times, not only after the next one, or a run
	 * that completed is taken for lost.
	 */
	@Test
	void anIrregularCronKeepsItsCompletionForTwiceItsLongestGap() {
		this.runner.withBean(TwiceAMonth.class).run((context) -> {
			assertThat(context).hasNotFailed();
			// from the 2nd of a 31-day month to the 1st of the next: 30 days
			assertThat(CollapseContexts.instance(context, "twice").settings().ttl()).isEqualTo(Duration.ofDays(60));
		});
	}

	private void assertFailure(Class<?> bean, String... expected) {
		assertThat(CollapseContexts.startupFailure(this.runner, bean).getMessage()).contains(expected);
	}

	public static class Zoned {

		@Scheduled(cron = "0 0 * * * *", zone = "${jobs.zone}")
		@OncePerFleet(name = "zoned")
		public void clean() {
		}

	}

	public static class TwiceAMonth {

		@Scheduled(cron = "0 0 0 1,2 * *")
		@OncePerFleet(name = "twice")
		public void clean() {
		}

	}

	public static class SpreadFixedDelay {

		@Scheduled(fixedDelay = 1000)
		@Spread("1s")
		public void clean() {
		}

	}

	public static class SameName {

		@Scheduled(cron = "0 30 * * * *")
		@OncePerFleet(name = "cleanup")
		public void sweep() {
		}

	}

	static final class First {

		public static class Nightly {

			@Scheduled(cron = "0 0 1 * * *")
			@OncePerFleet
			public void clean() {
			}

		}

	}

	static final class Second {

		public static class Nightly {

			@Scheduled(cron = "0 0 2 * * *")
			@OncePerFleet
			public void clean() {
			}

		}

	}

	public abstract static class Cleaner {

		@Scheduled(cron = "0 0 3 * * *")
		@OncePerFleet
		public void clean() {
		}

	}

	public static class Daily extends Cleaner {

		public static class Late extends Daily {

		}

	}

	public static class Weekly extends Cleaner {

	}

	public static class Hourly {

		@Scheduled(cron = "0 0 * * * *")
		@OncePerFleet(name = "cleanup")
		public void clean() {
		}

	}

	public static class ReturnsValue {

		@Scheduled(cron = "0 0 * * * *")
		@OncePerFleet
		public String clean() {
			return "";
		}

	}

	public static class FixedRate {

		@Scheduled(fixedRate = 1000)
		@OncePerFleet
		public void clean() {
		}

	}

	public static class NotScheduled {

		@OncePerFleet
		public void clean() {
		}

	}

	public static class Both {

		@Scheduled(cron = "0 0 * * * *")
		@OncePerFleet
		@Collapsed
		public void clean() {
		}

	}

	public static class BadSpread {

		@Scheduled(cron = "0 0 * * * *")
		@Spread("soon")
		public void clean() {
		}

	}

}
