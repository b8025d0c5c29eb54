package dev.collapse.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.collapse.annotation.OncePerFleet;
import dev.collapse.schedule.FireTime;
import dev.collapse.schedule.ScheduledJobs;
import dev.collapse.schedule.ScheduledJobs.Outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Eight applications on one Redis fire the same every-second cron job: each nominal fire time runs
 * on one node only, across many fire times, while one node's clock runs two seconds ahead, one
 * node's scheduler is held past its fire times, and the node running one fire time dies mid-run:
 * that run is counted lost, once for the fleet.
 */
class OncePerFleetTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	static final int NODES = 8;

	static final int AHEAD = 1;

	static final int PAUSED = 2;

	/** Longer than the skew of the node whose clock runs ahead, so that every node skips a fire time. */
	static final Duration STALL = Duration.ofMillis(4500);

	private final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	private final Runs runs = new Runs();

	@AfterEach
	void stopFleet() {
		this.runs.release.countDown();
		for (ConfigurableApplicationContext node : this.nodes) {
			node.close();
		}
	}

	@Test
	void eachFireTimeRunsOnceForTheFleetThroughALateNodeASkewedClockAndADeadOne() throws Exception {
		String prefix = "s" + UUID.randomUUID().toString().substring(0, 8) + ":";
		for (int i = 0; i < NODES; i++) {
			this.nodes.add(start(i, prefix));
		}
		// many fire times with every node firing
		awaitFireTimes(4);
		assertThat(this.runs.byFireTime.values()).allSatisfy((count) -> assertThat(count).hasValue(1));

		// the whole fleet stalls for seconds (a JVM pause, shared cores): every node fires late
		// once, then its trigger counts on from the late completion, so the same fire times are
		// left out by every node; what runs still runs once
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch stalling = new CountDownLatch(NODES);
		for (int i = 0; i < NODES; i++) {
			scheduler(i).execute(() -> {
				stalling.countDown();
				awaitUninterruptibly(stalled);
			});
		}
		stalling.await();
		Instant stallEnds = Instant.now().plus(STALL);
		await().atMost(STALL.multipliedBy(2)).until(() -> Instant.now().isAfter(stallEnds));
		stalled.countDown();
		awaitFireTimes(3);

		// one node's only scheduler thread held past its next fire times, then let go: its late
		// fire carries its own nominal time, already run elsewhere, and it skips
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch holding = new CountDownLatch(1);
		scheduler(PAUSED).execute(() -> {
			holding.countDown();
			awaitUninterruptibly(held);
		});
		holding.await();
		long skippedBefore = job(PAUSED).count(Outcome.SKIPPED);
		awaitFireTimes(3);
		held.countDown();
		await().atMost(Duration.ofSeconds(20)).until(() -> job(PAUSED).count(Outcome.SKIPPED) > skippedBefore);

		// the node that takes the next fire time hangs in the job and dies there: its lease ends
		// with no completion, and the fleet counts the run lost, once
		this.runs.hangNext.set(true);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.runs.hung.get() != null);
		Hung hung = this.runs.hung.get();
		// every other node fired it while the dead one held it, and waits to hear how it ended
		await().atMost(Duration.ofSeconds(20)).until(() -> everyOtherNodeUnsettled(hung));
		this.nodes.get(hung.node()).close();
		await().atMost(Duration.ofSeconds(30)).until(() -> lostOnLiveNodes(hung.node()) == 1);
		awaitFireTimes(3);

		NavigableMap<Instant, AtomicInteger> fired = new ConcurrentSkipListMap<>(this.runs.byFireTime);
		System.out.println("Runs by nominal fire time: " + fired);
		assertThat(fired.values()).allSatisfy((count) -> assertThat(count).hasValue(1));
		// fire times the whole fleet left out (a stall of every node) may leave gaps: what is
		// counted is that every fire time that ran, ran once, and that many ran
		assertThat(fired).hasSizeGreaterThanOrEqualTo(4 + 3 + 3 + 3);
		assertThat(fired.keySet()).allSatisfy((nominal) -> assertThat(nominal.getNano()).isZero());
		assertThat(lostOnLiveNodes(hung.node())).isEqualTo(1);
		for (int i = 0; i < NODES; i++) {
			if (i != hung.node()) {
				assertThat(job(i).lastLost()).isIn(null, hung.nominal());
			}
		}
	}

	private boolean everyOtherNodeUnsettled(Hung hung) {
		for (int i = 0; i < NODES; i++) {
			if (i != hung.node() && !job(i).unsettled().contains(hung.nominal())) {
				return false;
			}
		}
		return true;
	}

	private long lostOnLiveNodes(int dead) {
		long lost = 0;
		for (int i = 0; i < NODES; i++) {
			if (i != dead) {
				lost += job(i).count(Outcome.LOST);
			}
		}
		return lost;
	}

	/** Waits until {@code count} more fire times than now have run somewhere. */
	private void awaitFireTimes(int count) {
		int target = this.runs.byFireTime.size() + count;
		await().atMost(Duration.ofSeconds(30)).until(() -> this.runs.byFireTime.size() >= target);
	}

	private ThreadPoolTaskScheduler scheduler(int node) {
		return this.nodes.get(node).getBean(ThreadPoolTaskScheduler.class);
	}

	private ScheduledJobs.Job job(int node) {
		return this.nodes.get(node).getBean(ScheduledJobs.class).jobs().iterator().next();
	}

	private ConfigurableApplicationContext start(int node, String prefix) {
		List<String> properties = new ArrayList<>(List.of(redis.properties()));
		properties.addAll(List.of("collapse.redis.enabled=true", "collapse.redis.key-prefix=" + prefix,
				"collapse.redis.lease=2s", "collapse.redis.command-timeout=1s", "spring.main.banner-mode=off",
				// a dead node stops at once: Spring would wait up to 30 s for the hung job when it closes
				"spring.lifecycle.timeout-per-shutdown-phase=100ms",
				"node=" + node, "clock.ahead=" + ((node == AHEAD) ? "2s" : "0s")));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.initializers((context) -> context.getBeanFactory().registerSingleton("runs", this.runs))
			.run();
	}

	static void awaitUninterruptibly(CountDownLatch latch) {
		while (true) {
			try {
				latch.await();
				return;
			}
			catch (InterruptedException ex) {
				// a dead node's thread ignores its context closing: it never completes
			}
		}
	}

	record Hung(int node, Instant nominal) {
	}

	/** What every node's job did, shared by the test and the nodes. */
	static final class Runs {

		final Map<Instant, AtomicInteger> byFireTime = new ConcurrentHashMap<>();

		final AtomicReference<Boolean> hangNext = new AtomicReference<>(false);

		final AtomicReference<Hung> hung = new AtomicReference<>();

		final CountDownLatch release = new CountDownLatch(1);

		void run(int node) {
			Instant nominal = FireTime.nominal();
			this.byFireTime.computeIfAbsent(nominal, (t) -> new AtomicInteger()).incrementAndGet();
			if (this.hangNext.compareAndSet(true, false)) {
				this.hung.set(new Hung(node, nominal));
				awaitUninterruptibly(this.release);
			}
		}

	}

	public static class Cleanup {

		private final Runs runs;

		private final int node;

		Cleanup(Runs runs, int node) {
			this.runs = runs;
			this.node = node;
		}

		@Scheduled(cron = "* * * * * *")
		@OncePerFleet(name = "cleanup", waitTimeout = "200ms")
		public void cleanup() {
			this.runs.run(this.node);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableScheduling
	static class App {

		@Bean
		Cleanup cleanup(Runs runs, Environment environment) {
			return new Cleanup(runs, environment.getRequiredProperty("node", Integer.class));
		}

		/** One thread, as Spring's default; a clock as far ahead as the node's {@code clock.ahead}. */
		@Bean
		ThreadPoolTaskScheduler taskScheduler(Environment environment) {
			ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
			scheduler.setPoolSize(1);
			scheduler.setClock(Clock.offset(Clock.systemDefaultZone(),
					environment.getRequiredProperty("clock.ahead", Duration.class)));
			return scheduler;
		}

	}

}
