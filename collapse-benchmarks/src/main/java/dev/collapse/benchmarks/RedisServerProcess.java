package dev.collapse.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * A {@code redis-server} of a benchmark's own: on a free port of 127.0.0.1, in a temporary
 * directory, without persistence, never the Redis on 6379 (a developer's data). Started where the
 * benchmark needs it, so a run needs nothing but the binary.
 */
public final class RedisServerProcess implements AutoCloseable {

	/** The executable, overridable with {@code -Dcollapse.redis-server=/path/to/redis-server}. */
	static final String EXECUTABLE = System.getProperty("collapse.redis-server", "redis-server");

	private final Process process;

	private final int port;

	private final Path dir;

	private RedisServerProcess(Process process, int port, Path dir) {
		this.process = process;
		this.port = port;
		this.dir = dir;
	}

	/** Starts {@link #EXECUTABLE} and returns once it answers {@code PING}; fails clearly if it cannot. */
	public static RedisServerProcess start() {
		return start(EXECUTABLE);
	}

	/** Starts {@code executable} and returns once it answers {@code PING}; fails clearly if it cannot. */
	public static RedisServerProcess start(String executable) {
		int port = freePort();
		Path dir;
		Process process;
		try {
			dir = Files.createTempDirectory("collapse-bench-redis");
			process = new ProcessBuilder(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
					"", "--appendonly", "no", "--dir", dir.toString())
				.redirectErrorStream(true)
				.redirectOutput(dir.resolve("redis.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run '" + executable + "': the Redis benchmarks start a redis-server "
					+ "of their own. Install it (apt-get install redis-server) or pass -Dcollapse.redis-server=/path", ex);
		}
		RedisServerProcess server = new RedisServerProcess(process, port, dir);
		server.awaitPong();
		return server;
	}

	public int port() {
		return this.port;
	}

	/** The URI clients connect to. */
	public String uri() {
		return "redis://127.0.0.1:" + this.port;
	}

	/** Spring Boot properties that point at this server. */
	public List<String> springProperties() {
		return List.of("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.port);
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	private void awaitPong() {
		RedisClient client = RedisClient.create(uri());
		try {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (true) {
				try (StatefulRedisConnection<String, String> connection = client.connect()) {
					connection.sync().ping();
					return;
				}
				catch (RedisException ex) {
					if (!this.process.isAlive() || System.nanoTime() > deadline) {
						close();
						throw new IllegalStateException("redis-server on port " + this.port
								+ " did not answer PING within 10 s; its log: " + this.dir.resolve("redis.log"), ex);
					}
				}
				pause();
			}
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
	}

	private void pause() {
		try {
			Thread.sleep(20); // waiting for a process to listen: there is no event to wait on
		}
		catch (InterruptedException ex) {
			close();
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while starting redis-server", ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
