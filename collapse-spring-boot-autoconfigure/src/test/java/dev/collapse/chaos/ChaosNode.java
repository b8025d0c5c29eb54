package dev.collapse.chaos;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.awaitility.core.ConditionTimeoutException;
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
import dev.collapse.core.Collapser;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.redis.RedisDistributedLayer;

import static org.awaitility.Awaitility.await;

/**
 * One application of {@link ChaosSoakTest} in a JVM of its own: it starts the Spring application
 * (Spring Boot properties as arguments, {@code chaos.*} ones included), runs its own callers, and
 * reports to the parent.
 *
 * <p>Protocol, one line each. To the parent, on stdout, every line starts with {@value #MARK}
 * (everything else the JVM writes, logs included, goes to stderr): {@code READY} once Redis is in
 * use and the completion channel subscribed; {@code STATS k=v ...} every 200 ms (totals since the
 * start: calls, timeouts, upstream failures, slowest call, calls by result, the
 * {@link EvictionWriter}'s evictions and checked reads); {@code EVICTED <start> <end> <key or *>}
 * after each eviction, and {@code FALLBACK <nanos>}
 * and {@code LEASE_LOST <nanos> <key or ?>} at once, timed by {@link System#nanoTime()}, which on Linux is
 * {@code CLOCK_MONOTONIC}, one clock for every process of the machine, so the parent can compare
 * them with its own fault windows; {@code VIOLATION <text>} at once; {@code DONE inflight=n waiting=n}
 * after {@code STOP}; {@code CLOSED} after {@code CLOSE}. From the parent, on stdin: {@code START}
 * (the callers start), {@code STOP} (they stop, every one within the call deadline, and the node
 * waits for no load in flight and no waiter), {@code CLOSE} (the context closes, exit 0). When
 * stdin ends, the parent is gone: the node halts at once, so it never outlives the test.
 */
public final class ChaosNode {

	static final String MARK = "@@ ";

	/** The real stdout, for protocol lines only. */
	private static PrintStream protocol;

	private final String name;

	private final ChaosService service;

	private final int callers;

	private final int hotKeys;

	private final int coldKeys;

	private final long deadlineNanos;

	private final Events events;

	private final EvictionWriter writer;

	private final RedisDistributedLayer layer;

	private final AtomicLong calls = new AtomicLong();

	private final AtomicLong timeouts = new AtomicLong();

	private final AtomicLong upstreamFailures = new AtomicLong();

	private final AtomicLong slowestCallNanos = new AtomicLong();

	private final List<Thread> threads = new ArrayList<>();

	/** When each caller's current call started (0 between calls), and the start of the last late call reported. */
	private final AtomicLong[] callStarts;

	private final AtomicLong[] reportedLate;

	private volatile boolean stop;

	private ChaosNode(ConfigurableApplicationContext context) {
		Environment environment = context.getEnvironment();
		this.name = environment.getRequiredProperty("chaos.node");
		this.service = context.getBean(ChaosService.class);
		this.callers = environment.getRequiredProperty("chaos.callers", Integer.class);
		this.hotKeys = environment.getRequiredProperty("chaos.hot-keys", Integer.class);
		this.coldKeys = environment.getRequiredProperty("chaos.cold-keys", Integer.class);
		this.deadlineNanos = environment.getRequiredProperty("chaos.call-deadline", Duration.class).toNanos();
		this.events = context.getBean(Events.class);
		this.layer = context.getBean(RedisDistributedLayer.class);
		this.writer = new EvictionWriter(this.name, context.getBean(UpstreamClient.class), context.getBean(Collapser.class),
				context.getBean(CollapseRegistry.class), this.layer, this.hotKeys);
		this.callStarts = new AtomicLong[this.callers];
		this.reportedLate = new AtomicLong[this.callers];
		for (int i = 0; i < this.callers; i++) {
			this.callStarts[i] = new AtomicLong();
			this.reportedLate[i] = new AtomicLong();
		}
	}

	public static void main(String[] args) throws Exception {
		protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
		System.setOut(System.err);
		BlockingQueue<String> commands = new LinkedBlockingQueue<>();
		Thread stdin = new Thread(() -> readCommands(commands), "chaos-node-stdin");
		stdin.setDaemon(true);
		stdin.start();
		ConfigurableApplicationContext context;
		try {
			context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(args).run();
			RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
			await().atMost(Duration.ofSeconds(60)).until(() -> layer.available() && layer.subscribed());
		}
		catch (Throwable ex) {
			ex.printStackTrace();
			send("FAILED " + ex);
			System.exit(1);
			return;
		}
		ChaosNode node = new ChaosNode(context);
		send("READY");
		while (true) {
			switch (commands.take()) {
				case "START" -> node.start();
				case "STOP" -> node.stopAndSettle(context);
				case "CLOSE" -> {
					context.close();
					send("CLOSED");
					System.exit(0);
				}
				default -> send("VIOLATION unknown command");
			}
		}
	}

	private static void readCommands(BlockingQueue<String> commands) {
		try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
			String line;
			while ((line = in.readLine()) != null) {
				commands.add(line.trim());
			}
		}
		catch (IOException ex) {
			// the parent is gone
		}
		Runtime.getRuntime().halt(3);
	}

	static void send(String line) {
		protocol.println(MARK + line);
	}

	private void start() {
		for (int i = 0; i < this.callers; i++) {
			int index = i;
			this.threads.add(new Thread(() -> callLoop(index), "chaos-caller-" + i));
		}
		this.threads.add(new Thread(() -> this.writer.run(() -> this.stop), "chaos-writer"));
		this.threads.forEach(Thread::start);
		Thread reporter = new Thread(this::reportLoop, "chaos-node-report");
		reporter.setDaemon(true);
		reporter.start();
	}

	private void callLoop(int index) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		AtomicLong callStart = this.callStarts[index];
		while (!this.stop) {
			String key = (random.nextInt(10) < 7) ? "hot" + random.nextInt(this.hotKeys) : "cold" + random.nextInt(this.coldKeys);
			// before the call begins: an eviction that returns later sets no floor for it
			EvictionWriter.Floor floor = this.writer.floor(key);
			this.events.lastResult.remove();
			this.events.callingKey.set(key);
			boolean availableBefore = this.layer.available();
			long start = System.nanoTime();
			callStart.set(start);
			try {
				Versioned value = this.service.get(key);
				if (!value.key().equals(key)) {
					send("VIOLATION a caller of " + key + " got the value of " + value.key());
				}
				this.writer.check(floor, value, start, this.events.lastResult.get(),
						"Redis available before the call " + availableBefore + ", after " + this.layer.available());
			}
			catch (ChaosUpstream.UpstreamException ex) {
				this.upstreamFailures.incrementAndGet();
			}
			catch (CollapseTimeoutException ex) {
				this.timeouts.incrementAndGet();
			}
			catch (Throwable ex) {
				send("VIOLATION undocumented exception reached a caller: " + ex.getClass().getName() + ": "
						+ String.valueOf(ex.getMessage()).replace('\n', ' '));
			}
			long took = System.nanoTime() - start;
			callStart.set(0);
			this.events.callingKey.remove();
			this.calls.incrementAndGet();
			this.slowestCallNanos.accumulateAndGet(took, Math::max);
			if (took > this.deadlineNanos) {
				late(index, start, "a call of " + key + " took " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
			}
			// pacing, so that two cores are not saturated by hits alone
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500 + random.nextInt(2000)));
		}
	}

	/** Reports a call past its deadline once, whether its caller or the reporter sees it first. */
	private void late(int index, long start, String what) {
		if (this.reportedLate[index].getAndSet(start) != start) {
			send("VIOLATION " + what + ", past its " + TimeUnit.NANOSECONDS.toMillis(this.deadlineNanos)
					+ " ms deadline (caller " + index + " of " + this.name + ")");
		}
	}

	private void reportLoop() {
		while (!this.stop) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
			long now = System.nanoTime();
			for (int i = 0; i < this.callers; i++) {
				long start = this.callStarts[i].get();
				if (start != 0 && now - start > this.deadlineNanos) {
					late(i, start, "a call still running after " + TimeUnit.NANOSECONDS.toMillis(now - start) + " ms");
				}
			}
			sendStats();
		}
	}

	private void sendStats() {
		StringBuilder line = new StringBuilder("STATS calls=").append(this.calls.get())
			.append(" timeouts=").append(this.timeouts.get())
			.append(" upstreamFailures=").append(this.upstreamFailures.get())
			.append(" slowestMs=").append(TimeUnit.NANOSECONDS.toMillis(this.slowestCallNanos.get()));
		this.writer.appendStats(line);
		this.events.results.forEach((tag, count) -> line.append(" result.").append(tag).append('=').append(count.get()));
		send(line.toString());
	}

	private void stopAndSettle(ConfigurableApplicationContext context) throws InterruptedException {
		this.stop = true;
		long deadline = System.nanoTime() + this.deadlineNanos + TimeUnit.SECONDS.toNanos(2);
		for (Thread caller : this.threads) {
			// the writer too: an eviction ends within the command timeout
			caller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
			if (caller.isAlive()) {
				send("VIOLATION caller " + caller.getName() + " of " + this.name + " still running after the load stopped (hung)");
			}
		}
		CollapseInstance instance = context.getBean(CollapseRegistry.class).find("chaos").orElse(null);
		RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> (instance == null || instance.inflight() == 0) && layer.waiting() == 0);
		}
		catch (ConditionTimeoutException ex) {
			// reported below, with the numbers
		}
		sendStats();
		send("DONE inflight=" + ((instance != null) ? instance.inflight() : 0) + " waiting=" + layer.waiting());
	}

	/** Counts calls by result, and sends fallbacks and lease losses with their moment at once. */
	static final class Events implements CollapseListener {

		final Map<String, AtomicLong> results = new ConcurrentHashMap<>();

		/** The result of the caller's last call, if it was counted on the caller's own thread; else "?". */
		final ThreadLocal<String> lastResult = ThreadLocal.withInitial(() -> "?");

		/** The key a caller calls now, for the lease it may lose on its own thread; else "?". */
		final ThreadLocal<String> callingKey = ThreadLocal.withInitial(() -> "?");

		@Override
		public InstanceEvents bind(InstanceView instance) {
			return new InstanceEvents() {

				@Override
				public void onCall(CallResult result) {
					Events.this.results.computeIfAbsent(result.tag(), (tag) -> new AtomicLong()).incrementAndGet();
					Events.this.lastResult.set(result.tag());
				}

				@Override
				public void onFallback() {
					send("FALLBACK " + System.nanoTime());
				}

				@Override
				public void onLeaseLost() {
					send("LEASE_LOST " + System.nanoTime() + " " + Events.this.callingKey.get());
				}

			};
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		UpstreamClient chaosUpstream(Environment environment) {
			return new UpstreamClient(environment.getRequiredProperty("chaos.upstream-port", Integer.class));
		}

		@Bean
		ChaosService chaosService(UpstreamClient upstream, Environment environment) {
			return new ChaosService(upstream, environment.getRequiredProperty("chaos.node"));
		}

		@Bean
		Events chaosEvents() {
			return new Events();
		}

	}

}
