package dev.collapse.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.collapse.redis.Callers;
import dev.collapse.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Chaos soak: {@value #NODES} application processes ({@link ChaosNode}, each a JVM of its own) on
 * one Redis, behind a {@link ChaosProxy} that adds latency, under continuous load on a few hot
 * keys and many cold ones, while a jittered schedule kills and restarts Redis, kills the Pub/Sub
 * connections, pauses Redis, deletes leases, cuts every connection at the proxy, slows the proxy
 * past the command timeout, restarts one application gracefully, and kills one with
 * {@code destroyForcibly} and starts another in its place. Beside its callers, each node runs an
 * {@link EvictionWriter}: it writes a row in the upstream, then evicts its key or every key. The
 * upstream is one object in this JVM ({@link UpstreamServer}), so that two loads of a key are seen
 * at once wherever they run.
 *
 * <p>It checks, and prints, that:
 * <ol>
 * <li>every call returned or threw within {@link #CALL_DEADLINE} (the wait timeout plus room for
 * the Redis commands of one call), and every caller thread ended after the load stopped;</li>
 * <li>no stale overwrite: an {@link EntrySampler} reads the hot keys' entries straight from Redis
 * every few ms; the version stored for a key (taken from one global counter when its load started)
 * never goes down from one read to a later one, across expiries, evictions, lease deletions and
 * Redis restarts;</li>
 * <li>no stale value after an eviction: once an eviction returned on a node, with Redis available
 * before and after it, no caller of that node that begins then gets a value of a load that began
 * before the write it followed ({@link EvictionWriter});</li>
 * <li>two loads of one key never run at once in the fleet, except within a fault's window (from
 * the fault until {@link #FAULT_TAIL} after it ended), near a counted fallback or lease loss, or
 * just after an eviction of the key ({@link EvictionMoments});</li>
 * <li>callers only ever saw a value, the upstream's own exception, or CollapseTimeoutException;</li>
 * <li>nothing leaked: no load in flight, no waiter in any live node, no lease left in Redis (a
 * killed node's expire), as many subscribers ({@code PUBSUB NUMSUB}), pattern subscriptions and
 * client connections as at the start; and none at all once every node closed.</li>
 * </ol>
 *
 * <p>In CI it runs 30 s of faults (under a minute with the JVMs' start-ups). A longer run:
 * {@code ./mvnw -B -o -pl collapse-spring-boot-autoconfigure test -Dtest=ChaosSoakTest -Dchaos.duration=PT5M}
 * ({@code -Dchaos.seed=N} replays a schedule).
 */
@Tag("chaos")
class ChaosSoakTest implements NodeProcess.Sink {

	static final int NODES = 4;

	static final int CALLERS_PER_NODE = 4;

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

	/** How long a node JVM may take to start, four at once on two cores, or one next to a loaded fleet. */
	static final long STARTUP_SECONDS = 120;

	final String prefix = "chaos" + ThreadLocalRandom.current().nextInt(1000, 10000) + ":";

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	/** Where a replacement node is awaited, in the background of the fault loop. */
	@RegisterExtension
	final Callers background = new Callers();

	enum Fault {

		KILL_REDIS, KILL_PUBSUB, PAUSE_REDIS, DELETE_LEASES, CUT_CONNECTIONS, SLOW_PROXY, RESTART_APP, KILL_APP

	}

	record Window(Fault fault, long start, long end) {
	}

	final ChaosUpstream upstream = new ChaosUpstream(0.02);

	final List<Window> windows = new CopyOnWriteArrayList<>();

	final Map<Fault, AtomicInteger> faults = Collections.synchronizedMap(new EnumMap<>(Fault.class));

	final List<String> violations = new CopyOnWriteArrayList<>();

	final Queue<Long> fallbackMoments = new ConcurrentLinkedQueue<>();


	final EntrySampler sampler = new EntrySampler(this.prefix, HOT_KEYS, () -> redis.server().port(), this.violations::add);

	/** The evictions and lease losses of every node, with their moments. */
	final EvictionMoments evictions = new EvictionMoments();

	/** The live node of each place in the fleet. */
	final AtomicReferenceArray<NodeProcess> nodes = new AtomicReferenceArray<>(NODES);

	/** Every node JVM this soak started, live or not: their totals, and what to kill at the end. */
	final List<NodeProcess> started = new CopyOnWriteArrayList<>();

	/** The start of the node that replaces a restarted or killed one; one at a time, so never are all down. */
	volatile CompletableFuture<Void> replacement = CompletableFuture.completedFuture(null);

	/** How long the first fleet, then each replacement, took from its JVM start to READY. */
	final List<Long> startupMillis = new CopyOnWriteArrayList<>();

	ChaosProxy proxy;

	UpstreamServer upstreamServer;

	volatile boolean stop;

	long soakStart;

	long soakEnd;

	@Test
	void soakUnderFaults() throws Exception {
		Duration duration = Duration.parse(System.getProperty("chaos.duration", "PT30S"));
		long seed = Long.getLong("chaos.seed", System.nanoTime());
		Random random = new Random(seed);
		System.out.println("chaos soak: duration " + duration + ", seed " + seed + " (-Dchaos.seed=" + seed + " replays the schedule)");
		this.proxy = new ChaosProxy(redis.server().port());
		this.proxy.latency(0, 2000);
		this.upstreamServer = new UpstreamServer(this.upstream);
		// the nodes die with this JVM, however it ends; each also halts itself when its stdin closes
		Thread killNodes = new Thread(this::killNodes, "chaos-kill-nodes");
		Runtime.getRuntime().addShutdownHook(killNodes);
		Thread sampler = new Thread(() -> this.sampler.run(() -> this.stop), "chaos-sampler");
		sampler.setDaemon(true);
		try {
			// the JVMs start at once, as a fleet deployed together would
			long fleetStart = System.nanoTime();
			for (int i = 0; i < NODES; i++) {
				this.nodes.set(i, startNode("node" + i));
			}
			for (int i = 0; i < NODES; i++) {
				NodeProcess node = this.nodes.get(i);
				node.await(node.ready, "READY", STARTUP_SECONDS);
			}
			this.startupMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fleetStart));
			String channel = this.prefix + "completions";
			long subscribersAtStart = numsub(channel);
			long patternsAtStart = admin((resp) -> resp.number("PUBSUB", "NUMPAT"));
			long clientsAtStart = clients();
			assertThat(subscribersAtStart).as("one subscription per application").isEqualTo(NODES);

			sampler.start();
			for (int i = 0; i < NODES; i++) {
				this.nodes.get(i).send("START");
			}
			this.soakStart = System.nanoTime();
			runFaults(random, duration);
			NodeProcess last = this.started.get(this.started.size() - 1);
			last.await(this.replacement, "replacement READY", STARTUP_SECONDS);
			this.soakEnd = System.nanoTime();

			// every node stops its callers (each within the call deadline) and waits for no load in flight and no waiter
			for (int i = 0; i < NODES; i++) {
				this.nodes.get(i).send("STOP");
			}
			for (int i = 0; i < NODES; i++) {
				NodeProcess node = this.nodes.get(i);
				settled(node, node.await(node.done, "DONE", CALL_DEADLINE.toSeconds() + 20));
			}
			this.stop = true;
			sampler.join(5000);
			this.proxy.latency(0, 0);
			String report = report(duration, seed);
			System.out.println(report);

			assertThat(this.violations).as(report).isEmpty();
			assertThat(quietNanos()).as("time with no fault, fallback or lease loss near, where loads must never overlap")
				.isGreaterThan((this.soakEnd - this.soakStart) / 10);
			assertThat(total("calls")).as("calls").isGreaterThan(1000);
			assertThat(this.sampler.samples()).as("versions read from Redis by the sampler").isGreaterThan(50);
			assertThat(total("evictions")).as("evictions of one key").isGreaterThan(50);
			assertThat(total("evictAlls")).as("evictAll calls").isGreaterThan(3);
			assertThat(total("checked")).as("values checked against the floor of an eviction").isGreaterThan(1000);
			for (Fault fault : Fault.values()) {
				assertThat(this.faults.get(fault)).as("faults of type " + fault).isNotNull();
			}

			// nothing leaked: the killed nodes' leases expired, their connections closed with their sockets
			await().atMost(LEASE.plusSeconds(10)).untilAsserted(() -> {
				assertThat(admin((resp) -> resp.scan(this.prefix + "*:lock")).size()).as("leases left in Redis").isZero();
				assertThat(numsub(channel)).as("PUBSUB NUMSUB").isEqualTo(subscribersAtStart);
				assertThat((long) admin((resp) -> resp.number("PUBSUB", "NUMPAT"))).as("PUBSUB NUMPAT").isEqualTo(patternsAtStart);
				assertThat(clients()).as("client connections").isEqualTo(clientsAtStart);
				assertThat(this.upstream.runningNow()).as("loads running").isZero();
			});

			// every node closes its context and exits 0, and leaves no subscriber and no connection
			for (int i = 0; i < NODES; i++) {
				this.nodes.get(i).send("CLOSE");
			}
			for (int i = 0; i < NODES; i++) {
				closed(this.nodes.get(i));
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(numsub(channel)).as("PUBSUB NUMSUB after every node closed").isZero();
				assertThat(clients()).as("client connections after every node closed").isZero();
			});
			assertThat(this.violations).as("violations while the nodes closed").isEmpty();
		}
		finally {
			this.stop = true;
			killNodes();
			Runtime.getRuntime().removeShutdownHook(killNodes);
			this.upstreamServer.close();
			this.proxy.close();
			if (!redis.server().running()) {
				redis.server().start();
			}
		}
	}

	// ---- nodes

	private NodeProcess startNode(String name) throws Exception {
		NodeProcess node = NodeProcess.start(name, List.of("spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + this.proxy.port(), "collapse.redis.enabled=true",
				"collapse.redis.key-prefix=" + this.prefix, "collapse.redis.lease=" + LEASE.toMillis() + "ms",
				"collapse.redis.command-timeout=300ms", "collapse.redis.probe-interval=200ms",
				"collapse.defaults.wait-timeout=" + WAIT_TIMEOUT.toMillis() + "ms", "collapse.redis.fallback-log-interval=10s",
				"spring.main.banner-mode=off", "logging.level.root=WARN", "chaos.upstream-port=" + this.upstreamServer.port(),
				"chaos.callers=" + CALLERS_PER_NODE, "chaos.hot-keys=" + HOT_KEYS, "chaos.cold-keys=" + COLD_KEYS,
				"chaos.call-deadline=" + CALL_DEADLINE.toMillis() + "ms"), this);
		this.started.add(node);
		return node;
	}

	/** Starts a node in place {@code index}, in the background, and lets it call once it uses Redis. */
	private void replace(int index) throws Exception {
		long start = System.nanoTime();
		NodeProcess next = startNode("node" + index + "-" + this.started.size());
		this.replacement = this.background.run(() -> {
			next.await(next.ready, "READY", STARTUP_SECONDS);
			this.startupMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
			next.send("START");
			this.nodes.set(index, next);
		});
	}

	private void settled(NodeProcess node, String done) {
		if (!done.equals("inflight=0 waiting=0")) {
			this.violations.add(node.name + " did not settle after its callers stopped: " + done);
		}
	}

	private void closed(NodeProcess node) throws InterruptedException {
		node.await(node.closed, "CLOSED", 30);
		if (!node.process.waitFor(30, TimeUnit.SECONDS) || node.process.exitValue() != 0) {
			this.violations.add(node.name + " did not exit 0 after closing" + node.output());
		}
	}

	private void killNodes() {
		for (NodeProcess node : this.started) {
			node.process.destroyForcibly();
		}
	}

	private long total(String name) {
		return this.started.stream().mapToLong((node) -> node.stats().getOrDefault(name, 0L)).sum();
	}

	@Override
	public void fallback(long nanos) {
		this.fallbackMoments.add(nanos);
	}

	@Override
	public void leaseLost(String key, long nanos) {
		this.evictions.leaseLost(key, nanos);
	}

	@Override
	public void evicted(String key, long start, long end) {
		this.evictions.evicted(key, start, end);
	}

	@Override
	public void violation(String text) {
		this.violations.add(text);
	}

	// ---- faults

	private void runFaults(Random random, Duration duration) throws Exception {
		long end = System.nanoTime() + duration.toNanos();
		List<Fault> round = new ArrayList<>();
		// until the time is up, and every kind of fault happened at least once
		while (System.nanoTime() < end || this.faults.size() < Fault.values().length) {
			if (this.replacement.isCompletedExceptionally()) {
				// a node did not start: the test fails with its output
				return;
			}
			boolean timeIsUp = System.nanoTime() >= end;
			if (round.isEmpty()) {
				round.addAll(List.of(Fault.values()));
				Collections.shuffle(round, random);
			}
			if (timeIsUp) {
				// only the kinds still missing, not the rest of a round
				round.removeIf(this.faults::containsKey);
			}
			Fault fault = next(round);
			if (fault == null) {
				return;
			}
			// a jittered pause between two faults: the schedule, not a wait for a condition
			Thread.sleep(2000 + random.nextInt(2000));
			long start = System.nanoTime();
			inject(fault, random);
			this.windows.add(new Window(fault, start, System.nanoTime()));
			this.faults.computeIfAbsent(fault, (f) -> new AtomicInteger()).incrementAndGet();
		}
	}

	/**
	 * The next fault of the round. One application is down at a time: while a replacement starts,
	 * the application faults wait for it, behind the others of the round, or for it if only they are left.
	 */
	private Fault next(List<Fault> round) throws Exception {
		for (Fault fault : round) {
			if (this.replacement.isDone() || (fault != Fault.RESTART_APP && fault != Fault.KILL_APP)) {
				round.remove(fault);
				return fault;
			}
		}
		try {
			this.replacement.get(STARTUP_SECONDS, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			// a node did not start: the test fails with its output
			return null;
		}
		return round.remove(0);
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
				// graceful: callers stop, the context closes, the JVM exits 0; a new one takes its place
				int index = random.nextInt(NODES);
				NodeProcess node = this.nodes.get(index);
				node.send("STOP");
				settled(node, node.await(node.done, "DONE", CALL_DEADLINE.toSeconds() + 20));
				node.send("CLOSE");
				closed(node);
				replace(index);
			}
			case KILL_APP -> {
				// a crash: no unsubscribe, no lease released, sockets closed by the OS
				int index = random.nextInt(NODES);
				this.nodes.get(index).kill();
				replace(index);
			}
		}
	}

	// ---- Redis

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

	/** The intervals in which overlapping loads are explained by a counted fallback or lease loss. */
	private List<long[]> explaining() {
		List<long[]> intervals = new ArrayList<>();
		for (Long at : this.fallbackMoments) {
			intervals.add(new long[] { at - FALLBACK_BEFORE.toNanos(), at + FAULT_TAIL.toNanos() });
		}
		for (Long at : this.evictions.leaseLosses(false)) {
			intervals.add(new long[] { at - LEASE_LOSS_BEFORE.toNanos(), at + FALLBACK_BEFORE.toNanos() });
		}
		return intervals;
	}

	private boolean explained(ChaosUpstream.Overlap overlap, List<long[]> explaining) {
		return nearFault(overlap, explaining) || this.evictions.explain(overlap);
	}

	private boolean nearFault(ChaosUpstream.Overlap overlap, List<long[]> explaining) {
		for (Window window : this.windows) {
			if (overlap.nanos() >= window.start() && overlap.nanos() <= window.end() + FAULT_TAIL.toNanos()) {
				return true;
			}
		}
		for (long[] interval : explaining) {
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
		covered.addAll(explaining());
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

	private String report(Duration duration, long seed) {
		List<long[]> explaining = explaining();
		long unexplained = 0;
		long afterEvictionOnly = 0;
		for (ChaosUpstream.Overlap overlap : this.upstream.overlaps()) {
			if (!nearFault(overlap, explaining) && this.evictions.explain(overlap)) {
				afterEvictionOnly++;
			}
			if (!explained(overlap, explaining)) {
				unexplained++;
				this.violations.add("two loads of " + overlap.key() + " at once (" + overlap.running()
						+ ") with no fault, fallback or lease loss near; the last began "
						+ TimeUnit.NANOSECONDS.toMillis(overlap.nanos() - overlap.previousStart()) + " ms after the other"
						+ this.evictions.lastBefore(overlap));
			}
		}
		Map<String, Long> results = new TreeMap<>();
		for (NodeProcess node : this.started) {
			node.stats().forEach((name, count) -> {
				if (name.startsWith("result.")) {
					results.merge(name.substring("result.".length()), count, Long::sum);
				}
			});
		}
		long slowest = this.started.stream().mapToLong((node) -> node.stats().getOrDefault("slowestMs", 0L)).max().orElse(0);
		StringBuilder text = new StringBuilder("chaos soak report (duration " + duration + ", seed " + seed + ")\n");
		text.append("  faults: ").append(this.faults).append('\n');
		text.append("  node JVMs: ").append(this.started.size()).append(" (").append(NODES).append(" at a time, ")
			.append(CALLERS_PER_NODE).append(" callers each); from JVM start to READY: ").append(this.startupMillis.get(0))
			.append(" ms for the first ").append(NODES).append(", then ms: ").append(this.startupMillis.subList(1, this.startupMillis.size()))
			.append('\n');
		text.append("  calls: ").append(total("calls")).append(", by result: ").append(results).append('\n');
		text.append("  loads: ").append(this.upstream.loads()).append(" (upstream failures ")
			.append(this.upstream.failures()).append(", seen by callers ").append(total("upstreamFailures")).append(")\n");
		text.append("  timeouts reaching callers: ").append(total("timeouts")).append('\n');
		text.append("  slowest call: ").append(slowest).append(" ms (deadline ").append(CALL_DEADLINE.toMillis()).append(" ms)\n");
		text.append("  fallbacks: ").append(this.fallbackMoments.size()).append(", lease losses: ")
			.append(this.evictions.leaseLossCount()).append(" (").append(this.evictions.leaseLosses(true).size())
			.append(" just after an eviction of their key)\n");
		text.append("  writes: ").append(this.upstream.writes()).append("; evictions: ").append(total("evictions"))
			.append(" of one key, ").append(total("evictAlls")).append(" evictAll (").append(total("unconfirmed"))
			.append(" unconfirmed: Redis unavailable before or after); values checked against an eviction: ")
			.append(total("checked")).append('\n');
		text.append("  concurrent loads of one key: ").append(this.upstream.overlaps().size()).append(" (")
			.append(afterEvictionOnly).append(" with an eviction of the key between their starts, no fault near), unexplained: ")
			.append(unexplained).append(" (quiet time where none may happen: ")
			.append(TimeUnit.NANOSECONDS.toMillis(quietNanos())).append(" ms of ")
			.append(TimeUnit.NANOSECONDS.toMillis(this.soakEnd - this.soakStart)).append(" ms)\n");
		long outside = 0;
		StringBuilder examples = new StringBuilder();
		List<Long> moments = new ArrayList<>(this.fallbackMoments);
		moments.addAll(this.evictions.leaseLosses(false));
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
		text.append("  versions sampled from Redis: ").append(this.sampler.samples()).append(", highest: ")
			.append(this.sampler.highest()).append('\n');
		text.append("  violations: ").append(this.violations.size());
		this.violations.stream().limit(20).forEach((violation) -> text.append("\n    ").append(violation));
		return text.toString();
	}

}
