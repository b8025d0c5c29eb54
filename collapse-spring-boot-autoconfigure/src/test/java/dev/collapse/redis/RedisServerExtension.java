package dev.collapse.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * Starts a real {@code redis-server} (or a three-master Redis Cluster) for a test class, on free
 * ports, and stops it afterwards. Register it as a static field:
 * {@code @RegisterExtension static RedisServerExtension redis = RedisServerExtension.standalone();}
 *
 * <p>Where {@code redis-server} is not on the PATH the tests are skipped, loudly; with the
 * environment variable {@code COLLAPSE_REQUIRE_REDIS=true} (set by {@code .ci/run}) they fail.
 */
public final class RedisServerExtension
		implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, RedisProperties {

	private static final String MISSING = "redis-server or redis-cli is not on the PATH: the tests that need a real Redis are SKIPPED. "
			+ "Install Redis (apt-get install redis-server redis-tools) to run them.";

	private final boolean cluster;

	private final List<RedisServer> servers = new ArrayList<>();

	private Path dir;

	private RedisServerExtension(boolean cluster) {
		this.cluster = cluster;
	}

	public static RedisServerExtension standalone() {
		return new RedisServerExtension(false);
	}

	/** Three masters, no replicas, joined with {@code redis-cli --cluster create}. */
	public static RedisServerExtension cluster() {
		return new RedisServerExtension(true);
	}

	/** Skips the tests where Redis is missing (surefire reports them as skipped), unless it is required. */
	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (redisInstalled() || required()) {
			return ConditionEvaluationResult.enabled("redis-server is installed, or required");
		}
		System.err.println("\n!!!!!!!!!! " + MISSING + " !!!!!!!!!!\n");
		return ConditionEvaluationResult.disabled(MISSING);
	}

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		if (!redisInstalled()) {
			throw new IllegalStateException(MISSING + " COLLAPSE_REQUIRE_REDIS=true makes this a failure.");
		}
		this.dir = Files.createTempDirectory("collapse-redis-");
		if (!this.cluster) {
			this.servers.add(RedisServer.start(this.dir));
			return;
		}
		for (int i = 0; i < 3; i++) {
			this.servers.add(RedisServer.start(this.dir, "--cluster-enabled", "yes", "--cluster-config-file",
					"nodes.conf", "--cluster-node-timeout", "5000"));
		}
		List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
		this.servers.forEach((server) -> create.add(server.address()));
		create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
		run(create);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> this.servers.stream()
			.allMatch((server) -> server.cli("cluster", "info").contains("cluster_state:ok")));
	}

	@Override
	public void afterAll(ExtensionContext context) throws IOException {
		this.servers.forEach(RedisServer::kill);
		if (this.dir != null) {
			try (Stream<Path> files = Files.walk(this.dir)) {
				files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	/** The server (the first node of a cluster). */
	public RedisServer server() {
		return this.servers.get(0);
	}

	public List<RedisServer> servers() {
		return this.servers;
	}

	/** Spring Boot properties that point at this Redis. */
	@Override
	public String[] properties() {
		if (!this.cluster) {
			return new String[] { "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server().port() };
		}
		return new String[] { "spring.data.redis.cluster.nodes="
				+ String.join(",", this.servers.stream().map(RedisServer::address).toList()) };
	}

	private static boolean redisInstalled() {
		return onPath("redis-server") && onPath("redis-cli");
	}

	private static boolean required() {
		return "true".equalsIgnoreCase(System.getenv("COLLAPSE_REQUIRE_REDIS"));
	}

	private static boolean onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return false;
		}
		for (String dir : path.split(java.io.File.pathSeparator)) {
			if (Files.isExecutable(Path.of(dir, command))) {
				return true;
			}
		}
		return false;
	}

	/** Runs a command to its end (at most 30 s) and returns its output. */
	static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output;
			try (InputStream in = process.getInputStream()) {
				output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("timed out: " + command);
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
