package dev.collapse.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.InstanceEvents;
import dev.collapse.redis.RedisDistributedLayer;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Chaos soak: {@value #NODES} applications on one Redis, behind a {@link ChaosProxy} that adds
 * latency, under continuous load on a few hot keys and many cold ones, while a jittered schedule
 * kills and restarts Redis, kills the Pub/Sub connections, pauses Redis, deletes leases, cuts every
 * connection at the proxy, slows the proxy past the command timeout, and restarts one application.
 *
 * <p>It checks, and prints, that:
 * <ol>
 * <li>every call returned or threw within {@link #CALL_DEADLINE} (the wait timeout plus room for
 * the Redis commands of one call), and every caller thread ended after the load stopped;</li>
 * <li>no stale overwrite: a sampler reads the hot keys' entries straight from Redis every few ms;
 * the version stored for a key (taken from one global counter when its load started) never goes
 * down from one read to a later one, across expiries, lease deletions and Redis restarts;</li>
 * <li>two loads of one key never run at once in the fleet, except within a fault's window (from
 * the fault until {@link #FAULT_TAIL} after it ended) or near a counted fallback or lease loss;</li>
 * <li>callers only ever saw a value, the upstream's own exception, or CollapseTimeoutException;</li>
 * <li>nothing leaked: no load in flight, no waiter, no lease left in Redis, and as many
 * subscribers ({@code PUBSUB NUMSUB}), pattern subscriptions and client connections as at the start.</li>
 * </ol>
 *
 * <p>In CI it runs for 30 s. A longer run: {@code ./mvnw -B -o -pl collapse-spring-boot-autoconfigure
 * test -Dtest=ChaosSoakTest -Dchaos.duration=PT5M} ({@code -Dchaos.seed=N} replays a schedule).
 */
@Tag("chaos")
class ChaosSoakTest {

	static final int NODES = 3;

	static final int CALLERS_PER_NODE = 6;

	static final int HOT_KEYS = 3;

	static final int COLD_KEYS = 400;

	static final Duration LEASE = Duration.ofSeconds(1);

	static final Duration WAIT_TIMEOUT = Duration.ofSeconds(3);

	static final Duration CALL_DEADLINE = WAIT_TIMEOUT.plusSeconds(2);

	/** How long after a fault ended two loads of a key may still overlap: nodes return to Redis one by one. */
	static final Duration FAULT_TAIL = LEASE.plusMillis(500);

	/**
	 * Overlapping loads explained by a counted fallback: from just before it (the load that
	 * overlaps may start first) until the nodes are back on Redis.
	 */
	static final Duration FALLBACK_BEFORE = Duration.ofMillis(200);

	/** Overlapping loads explained by a counted lease loss, which is counted when the fenced load ends. */
	static final Duration LEASE_LOSS_BEFORE = LEASE.plusMillis(500);

	final String prefix = "chaos" + ThreadLocalRandom.current().nextInt(1000, 10000) + ":";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	enum Fault {

		KILL_REDIS, KILL_PUBSUB, PAUSE_REDIS, DELETE_LEASES, CUT_CONNECTIONS, SLOW_PROXY, RESTART_APP

	}

	record Window(Fault fault, long start, long end) {
	}

	final ChaosUpstream upstream = new ChaosUpstream(0.02);

	final Events events = new Events();

	final List<Window> windows = new CopyOnWriteArrayList<>();

	final Map<Fault, AtomicInteger> faults = Collections.synchronizedMap(new EnumMap<>(Fault.class));

	final List<String> violations = new CopyOnWriteArrayList<>();

	final AtomicLong calls = new AtomicLong();

	final AtomicLong timeouts = new AtomicLong();

	final AtomicLong upstreamFailures = new AtomicLong();

	final AtomicLong slowestCallNanos = new AtomicLong();

	final AtomicLong samples = new AtomicLong();

	final Map<String, Long> storedVersions = new ConcurrentHashMap<>();

	ChaosProxy proxy;

	final Node[] nodes = new Node[NODES];

	volatile boolean stop;

	long soakStart;

	long soakEnd;

	/** One application, replaced when it restarts. */
	static final class Node {

		volatile ConfigurableApplicationContext context;

		volatile ChaosService service;

		final AtomicInteger active = new AtomicInteger();

	}

	@Test
	void soakUnderFaults() throws Exception {
		Duration duration = Duration.parse(System.getProperty("chaos.duration", "PT30S"));
		long seed = Long.getLong("chaos.seed", System.nanoTime());
		Random random = new Random(seed);
		System.out.println("chaos soak: duration " + duration + ", seed " + seed + " (-Dchaos.seed=" + seed + " replays the schedule)");
		this.proxy = new ChaosProxy(redis.server().port());
		this.proxy.latency(0, 2000);
		try {
			for (int i = 0; i < NODES; i++) {
				this.nodes[i] = new Node();
				startNode(i, "node" + i);
			}
			awaitAllConnected();
			String channel = this.prefix + "completions";
			long subscribersAtStart = numsub(channel);
			long patternsAtStart = admin((resp) -> resp.number("PUBSUB", "NUMPAT"));
			long clientsAtStart = clients();
			assertThat(subscribersAtStart).as("one subscription per application").isEqualTo(NODES);

			List<Thread> callers = new ArrayList<>();
			for (int n = 0; n < NODES; n++) {
				for (int c = 0; c < CALLERS_PER_NODE; c++) {
					int node = n;
					Thread caller = new Thread(() -> callLoop(node), "chaos-caller-" + n + "-" + c);
					caller.setDaemon(true);
					callers.add(caller);
				}
			}
			Thread sampler = new Thread(this::sampleLoop, "chaos-sampler");
			sampler.setDaemon(true);
			callers.forEach(Thread::start);
			sampler.start();

			this.soakStart = System.nanoTime();
			runFaults(random, duration);
			this.soakEnd = System.nanoTime();

			this.stop = true;
			long deadline = System.nanoTime() + CALL_DEADLINE.toNanos() + TimeUnit.SECONDS.toNanos(5);
			for (Thread caller : callers) {
				caller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
				if (caller.isAlive()) {
					this.violations.add("caller " + caller.getName() + " still running after the load stopped (hung)");
				}
			}
			sampler.join(5000);

			// the fleet settles: Redis is up and every node uses it again, subscribed
			this.proxy.latency(0, 0);
			awaitAllConnected();
			String report = report();
			System.out.println(report);

			assertThat(this.violations).as(report).isEmpty();
			assertThat(quietNanos()).as("time with no fault, fallback or lease loss near, where loads must never overlap")
				.isGreaterThan((this.soakEnd - this.soakStart) / 10);
			assertThat(this.calls.get()).as("calls").isGreaterThan(1000);
			assertThat(this.samples.get()).as("versions read from Redis by the sampler").isGreaterThan(50);
			for (Fault fault : Fault.values()) {
				assertThat(this.faults.get(fault)).as("faults of type " + fault).isNotNull();
			}

			// nothing leaked
			for (int i = 0; i < NODES; i++) {
				ConfigurableApplicationContext context = this.nodes[i].context;
				CollapseInstance instance = context.getBean(CollapseRegistry.class).find("chaos").orElseThrow();
				RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(instance.inflight()).as("loads in flight").isZero();
					assertThat(layer.waiting()).as("waiters").isZero();
				});
			}
			await().atMost(LEASE.plusSeconds(5)).untilAsserted(() -> {
				assertThat(admin((resp) -> resp.scan(this.prefix + "*:lock")).size()).as("leases left in Redis").isZero();
				assertThat(numsub(channel)).as("PUBSUB NUMSUB").isEqualTo(subscribersAtStart);
				assertThat((long) admin((resp) -> resp.number("PUBSUB", "NUMPAT"))).as("PUBSUB NUMPAT").isEqualTo(patternsAtStart);
				assertThat(clients()).as("client connections").isEqualTo(clientsAtStart);
			});
			assertThat(this.upstream.runningNow()).as("loads running").isZero();
		}
		finally {
			this.stop = true;
			for (Node node : this.nodes) {
				if (node != null && node.context != null) {
					node.context.close();
				}
			}
			this.proxy.close();
			if (!redis.server().running()) {
				redis.server().start();
			}
		}
	}

	// ---- load

	private void callLoop(int index) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		while (!this.stop) {
			Node node = this.nodes[index];
			ChaosService service = node.service;
			if (service == null) {
				// this application is restarting
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
				continue;
			}
			node.active.incrementAndGet();
			String key = (random.nextInt(10) < 7) ? "hot" + random.nextInt(HOT_KEYS) : "cold" + random.nextInt(COLD_KEYS);
			long start = System.nanoTime();
			try {
				if (node.service != null) {
					Versioned value = service.get(key);
					if (!value.key().equals(key)) {
						this.violations.add("a caller of " + key + " got the value of " + value.key());
					}
				}
			}
			catch (ChaosUpstream.UpstreamException ex) {
				this.upstreamFailures.incrementAndGet();
			}
			catch (CollapseTimeoutException ex) {
				this.timeouts.incrementAndGet();
			}
			catch (Throwable ex) {
				this.violations.add("undocumented exception reached a caller: " + ex.getClass().getName() + ": "
						+ ex.getMessage());
			}
			finally {
				node.active.decrementAndGet();
			}
			long took = System.nanoTime() - start;
			this.calls.incrementAndGet();
			this.slowestCallNanos.accumulateAndGet(took, Math::max);
			if (took > CALL_DEADLINE.toNanos()) {
				this.violations.add("a call of " + key + " took " + Duration.ofNanos(took).toMillis() + " ms, past its "
						+ CALL_DEADLINE.toMillis() + " ms deadline");
			}
			// pacing, so that two cores are not saturated by hits alone
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500 + random.nextInt(2000)));
		}
	}

	/** Reads the hot keys' entries straight from Redis and checks that no stored version ever goes down. */
	private void sampleLoop() {
		Pattern version = Pattern.compile("\"version\":(\\d+)");
		Resp resp = null;
		while (!this.stop) {
			try {
				if (resp == null) {
					resp = new Resp(redis.server().port());
				}
				for (int i = 0; i < HOT_KEYS; i++) {
					String key = "hot" + i;
					// the entry key of RedisKeys for a plain String key: s<length>:<text> inside the hash tag
					Object stored = resp.call("GET", this.prefix + "{chaos:s" + key.length() + ":" + key + "}");
					if (stored instanceof byte[] bytes) {
						Matcher matcher = version.matcher(new String(bytes, StandardCharsets.UTF_8));
						if (matcher.find()) {
							long now = Long.parseLong(matcher.group(1));
							this.samples.incrementAndGet();
							Long before = this.storedVersions.put(key, Math.max(now, this.storedVersions.getOrDefault(key, 0L)));
							if (before != null && now < before) {
								this.violations.add("stale overwrite: Redis held version " + now + " of " + key
										+ " after version " + before);
							}
						}
					}
				}
			}
			catch (RuntimeException ex) {
				// Redis is down or paused for a while: read again later
				if (resp != null) {
					resp.close();
				}
				resp = null;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
		if (resp != null) {
			resp.close();
		}
	}

	// ---- faults

	private void runFaults(Random random, Duration duration) throws Exception {
		long end = System.nanoTime() + duration.toNanos();
		List<Fault> round = new ArrayList<>();
		long lastAppRestart = System.nanoTime();
		// until the time is up, and every kind of fault happened at least once
		while (System.nanoTime() < end || this.faults.size() < Fault.values().length) {
			if (round.isEmpty()) {
				round.addAll(List.of(Fault.values()));
				Collections.shuffle(round, random);
			}
			Fault fault = round.remove(0);
			if (fault == Fault.RESTART_APP && System.nanoTime() - lastAppRestart < TimeUnit.SECONDS.toNanos(10)
					&& this.faults.containsKey(Fault.RESTART_APP)) {
				continue;
			}
			// a jittered pause between two faults: the schedule, not a wait for a condition
			Thread.sleep(2000 + random.nextInt(2000));
			long start = System.nanoTime();
			inject(fault, random);
			if (fault == Fault.RESTART_APP) {
				lastAppRestart = System.nanoTime();
			}
			this.windows.add(new Window(fault, start, System.nanoTime()));
			this.faults.computeIfAbsent(fault, (f) -> new AtomicInteger()).incrementAndGet();
		}
	}

	private void inject(Fault fault, Random random) throws Exception {
		switch (fault) {
			case KILL_REDIS -> {
				redis.server().kill();
				Thread.sleep(200 + random.nextInt(600));
				redis.server().start();
			}
			case KILL_PUBSUB -> admin((resp) -> resp.call("CLIENT", "KILL", "TYPE", "pubsub"));
			case PAUSE_REDIS -> {
				admin((resp) -> resp.call("CLIENT", "PAUSE", "500", "ALL"));
				Thread.sleep(500);
			}
			case DELETE_LEASES -> admin((resp) -> {
				for (byte[] lease : resp.scan(this.prefix + "*:lock")) {
					resp.call("DEL", lease);
				}
				return null;
			});
			case CUT_CONNECTIONS -> this.proxy.cutAll();
			case SLOW_PROXY -> {
				// past the command timeout: calls fall back
				this.proxy.latency(200_000, 400_000);
				Thread.sleep(800);
				this.proxy.latency(0, 2000);
			}
			case RESTART_APP -> {
				int index = random.nextInt(NODES);
				Node node = this.nodes[index];
				node.service = null;
				await().atMost(CALL_DEADLINE.plusSeconds(5)).until(() -> node.active.get() == 0);
				node.context.close();
				startNode(index, "node" + index + "-restarted-" + System.nanoTime());
			}
		}
	}

	// ---- nodes and Redis

	private void startNode(int index, String name) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.proxy.port(),
					"collapse.redis.enabled=true", "collapse.redis.key-prefix=" + this.prefix,
					"collapse.redis.lease=" + LEASE.toMillis() + "ms", "collapse.redis.command-timeout=300ms",
					"collapse.redis.probe-interval=200ms", "collapse.defaults.wait-timeout=" + WAIT_TIMEOUT.toMillis() + "ms",
					"collapse.redis.fallback-log-interval=10s", "spring.main.banner-mode=off", "logging.level.root=WARN",
					"chaos.node=" + name)
			.initializers((ctx) -> {
				ctx.getBeanFactory().registerSingleton("chaosUpstream", this.upstream);
				ctx.getBeanFactory().registerSingleton("chaosEvents", this.events);
			})
			.run();
		this.nodes[index].context = context;
		this.nodes[index].service = context.getBean(ChaosService.class);
	}

	private void awaitAllConnected() {
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			for (Node node : this.nodes) {
				RedisDistributedLayer layer = node.context.getBean(RedisDistributedLayer.class);
				if (!layer.available() || !layer.subscribed()) {
					return false;
				}
			}
			return true;
		});
	}

	private long numsub(String channel) {
		return admin((resp) -> {
			@SuppressWarnings("unchecked")
			List<Object> reply = (List<Object>) resp.call("PUBSUB", "NUMSUB", channel);
			return (Long) reply.get(1);
		});
	}

	/** Client connections to Redis, not counting the one that asks. */
	private long clients() {
		return admin((resp) -> Resp.text(resp.call("CLIENT", "LIST")).lines().count() - 1);
	}

	private <T> T admin(java.util.function.Function<Resp, T> command) {
		try (Resp resp = new Resp(redis.server().port())) {
			return command.apply(resp);
		}
	}

	// ---- checks

	private boolean explained(ChaosUpstream.Overlap overlap) {
		for (Window window : this.windows) {
			if (overlap.nanos() >= window.start() && overlap.nanos() <= window.end() + FAULT_TAIL.toNanos()) {
				return true;
			}
		}
		// a fault still running (its window is added when it ends), or a fallback or lease loss nearby
		for (long[] interval : this.events.explaining()) {
			if (overlap.nanos() >= interval[0] && overlap.nanos() <= interval[1]) {
				return true;
			}
		}
		return false;
	}

	/** Time of the soak outside every fault window and away from every fallback and lease loss. */
	private long quietNanos() {
		List<long[]> covered = new ArrayList<>();
		for (Window window : this.windows) {
			covered.add(new long[] { window.start(), window.end() + FAULT_TAIL.toNanos() });
		}
		covered.addAll(this.events.explaining());
		covered.sort((a, b) -> Long.compare(a[0], b[0]));
		long quiet = 0;
		long cursor = this.soakStart;
		for (long[] interval : covered) {
			if (interval[0] > cursor) {
				quiet += Math.min(interval[0], this.soakEnd) - cursor;
			}
			cursor = Math.max(cursor, interval[1]);
			if (cursor >= this.soakEnd) {
				break;
			}
		}
		return quiet + Math.max(0, this.soakEnd - cursor);
	}

	private String report() {
		long unexplained = 0;
		for (ChaosUpstream.Overlap overlap : this.upstream.overlaps()) {
			if (!explained(overlap)) {
				unexplained++;
				this.violations.add("two loads of " + overlap.key() + " at once (" + overlap.running()
						+ ") with no fault, fallback or lease loss near");
			}
		}
		StringBuilder text = new StringBuilder("chaos soak report\n");
		text.append("  faults: ").append(this.faults).append('\n');
		text.append("  calls: ").append(this.calls.get()).append(", by result: ").append(this.events.results).append('\n');
		text.append("  loads: ").append(this.upstream.loads()).append(" (upstream failures ")
			.append(this.upstream.failures()).append(", seen by callers ").append(this.upstreamFailures.get()).append(")\n");
		text.append("  timeouts reaching callers: ").append(this.timeouts.get()).append('\n');
		text.append("  slowest call: ").append(TimeUnit.NANOSECONDS.toMillis(this.slowestCallNanos.get()))
			.append(" ms (deadline ").append(CALL_DEADLINE.toMillis()).append(" ms)\n");
		text.append("  fallbacks: ").append(this.events.fallbacks.get()).append(", lease losses: ")
			.append(this.events.leaseLosses.get()).append('\n');
		text.append("  concurrent loads of one key: ").append(this.upstream.overlaps().size()).append(", unexplained: ")
			.append(unexplained).append(" (quiet time where none may happen: ")
			.append(TimeUnit.NANOSECONDS.toMillis(quietNanos())).append(" ms of ")
			.append(TimeUnit.NANOSECONDS.toMillis(this.soakEnd - this.soakStart)).append(" ms)\n");
		long outside = 0;
		StringBuilder examples = new StringBuilder();
		List<Long> moments = new ArrayList<>(this.events.fallbackMoments);
		moments.addAll(this.events.leaseLossMoments);
		for (Long at : moments) {
			boolean inWindow = this.windows.stream()
				.anyMatch((w) -> at >= w.start() && at <= w.end() + FAULT_TAIL.toNanos());
			if (!inWindow) {
				outside++;
				if (examples.length() < 400) {
					Window last = null;
					for (Window w : this.windows) {
						if (w.end() <= at) {
							last = w;
						}
					}
					examples.append((last == null) ? "start" : last.fault() + "+" + TimeUnit.NANOSECONDS.toMillis(at - last.end()) + "ms").append(' ');
				}
			}
		}
		text.append("  fallbacks and lease losses outside fault windows: ").append(outside).append(" [")
			.append(examples).append("]\n");
		text.append("  versions sampled from Redis: ").append(this.samples.get()).append(", highest: ")
			.append(this.storedVersions).append('\n');
		text.append("  violations: ").append(this.violations.size());
		this.violations.stream().limit(20).forEach((violation) -> text.append("\n    ").append(violation));
		return text.toString();
	}

	/** Counts how calls were served, and when fallbacks and lease losses happened, fleet-wide. */
	static final class Events implements CollapseListener {

		final Map<String, AtomicLong> results = new ConcurrentHashMap<>();

		final AtomicLong fallbacks = new AtomicLong();

		final AtomicLong leaseLosses = new AtomicLong();

		final List<Long> fallbackMoments = new CopyOnWriteArrayList<>();

		final List<Long> leaseLossMoments = new CopyOnWriteArrayList<>();

		/** The intervals in which overlapping loads are explained by a counted fallback or lease loss. */
		List<long[]> explaining() {
			List<long[]> intervals = new ArrayList<>();
			for (Long at : this.fallbackMoments) {
				intervals.add(new long[] { at - FALLBACK_BEFORE.toNanos(), at + FAULT_TAIL.toNanos() });
			}
			for (Long at : this.leaseLossMoments) {
				intervals.add(new long[] { at - LEASE_LOSS_BEFORE.toNanos(), at + FALLBACK_BEFORE.toNanos() });
			}
			return intervals;
		}

		@Override
		public InstanceEvents bind(CollapseInstance instance) {
			return new InstanceEvents() {

				@Override
				public void onCall(CallResult result) {
					Events.this.results.computeIfAbsent(result.tag(), (tag) -> new AtomicLong()).incrementAndGet();
				}

				@Override
				public void onFallback() {
					Events.this.fallbacks.incrementAndGet();
					Events.this.fallbackMoments.add(System.nanoTime());
				}

				@Override
				public void onLeaseLost() {
					Events.this.leaseLosses.incrementAndGet();
					Events.this.leaseLossMoments.add(System.nanoTime());
				}

			};
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		ChaosService chaosService(ChaosUpstream upstream, Environment environment) {
			return new ChaosService(upstream, environment.getRequiredProperty("chaos.node"));
		}

	}

}
