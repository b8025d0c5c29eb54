package dev.collapse.sample;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A {@code redis-server} of the test's own, on a free port of 127.0.0.1 and without persistence:
 * the Redis on 6379, if any, is never touched. Closing it kills the process and deletes its
 * directory.
 */
public final class RedisServerProcess implements AutoCloseable {

	private static final String MISSING = "*** REDIS TEST NOT RUN: redis-server is not on the PATH. Install it with: "
			+ "apt-get install -y redis-server ***";

	private final int port;

	private final Path dir;

	private final Process process;

	private RedisServerProcess(int port, Path dir, Process process) {
		this.port = port;
		this.dir = dir;
		this.process = process;
	}

	/** Starts a server and returns once it answers PING. */
	public static RedisServerProcess start() throws IOException {
		Path dir = Files.createTempDirectory("collapse-sample-redis-");
		int port = freePort();
		Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", dir.toString())
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("redis.log").toFile())
			.start();
		RedisServerProcess server = new RedisServerProcess(port, dir, process);
		try {
			await("redis-server on port " + port + " answers PING").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> {
					if (!process.isAlive()) {
						throw new IllegalStateException("redis-server exited; see " + dir.resolve("redis.log"));
					}
					return server.answersPing();
				});
		}
		catch (RuntimeException ex) {
			server.close();
			throw ex;
		}
		return server;
	}

	public int port() {
		return this.port;
	}

	/** Keys that match a glob pattern ({@code KEYS}); fine on a test server with a handful of keys. */
	public int countKeys(String pattern) {
		String reply = command("KEYS", pattern);
		if (!reply.startsWith("*")) {
			throw new IllegalStateException("KEYS answered " + reply);
		}
		return Integer.parseInt(reply.substring(1, reply.indexOf('\r')));
	}

	private boolean answersPing() {
		try {
			return command("PING").startsWith("+PONG");
		}
		catch (UncheckedIOException ex) {
			return false;
		}
	}

	/** Sends one command in RESP and returns the start of the reply. */
	private String command(String... args) {
		StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
		for (String arg : args) {
			request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
		}
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 500);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[4096];
			int read = in.read(reply);
			return (read > 0) ? new String(reply, 0, read, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try (Stream<Path> files = Files.walk(this.dir)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// a temporary directory left behind harms nothing
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

	/** Whether an executable {@code redis-server} is in one of the directories of {@code path}. */
	static boolean installed(String path) {
		if (path == null) {
			return false;
		}
		for (String dir : path.split(File.pathSeparator)) {
			if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-server"))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Skips a test class, loudly, where {@code redis-server} is missing; with {@code CI=true} or
	 * {@code COLLAPSE_REQUIRE_REDIS=true} fails it instead, before anything starts.
	 */
	public static final class Required implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return evaluate(System.getenv());
		}

		static ConditionEvaluationResult evaluate(Map<String, String> environment) {
			if (installed(environment.get("PATH"))) {
				return ConditionEvaluationResult.enabled("redis-server found");
			}
			if ("true".equals(environment.get("CI")) || "true".equals(environment.get("COLLAPSE_REQUIRE_REDIS"))) {
				throw new IllegalStateException(MISSING + " CI=true or COLLAPSE_REQUIRE_REDIS=true: it must run.");
			}
			SkipNotice.tell(MISSING);
			return ConditionEvaluationResult.disabled(MISSING);
		}

	}

}
