package dev.collapse.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One {@code redis-server} process of a test, on its own port and directory, never the Redis on
 * 6379. It can be killed ({@code destroyForcibly}) and started again on the same port.
 */
public final class RedisServer {

	private final int port;

	private final Path dir;

	private final List<String> extraArgs;

	private Process process;

	private RedisServer(int port, Path dir, List<String> extraArgs) {
		this.port = port;
		this.dir = dir;
		this.extraArgs = extraArgs;
	}

	/** Starts a server on a free port (whose cluster bus port, +10000, is free too). */
	static RedisServer start(Path parent, String... extraArgs) {
		int port = freePort();
		try {
			Path dir = Files.createDirectories(parent.resolve("redis-" + port));
			RedisServer server = new RedisServer(port, dir, List.of(extraArgs));
			server.start();
			return server;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public int port() {
		return this.port;
	}

	public String address() {
		return "127.0.0.1:" + this.port;
	}

	/** Starts the process (again, after {@link #kill}) and waits until it answers PING. */
	public synchronized void start() {
		List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(this.port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir.toString(), "--protected-mode",
				"no"));
		command.addAll(this.extraArgs);
		try {
			this.process = new ProcessBuilder(command).directory(this.dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(this.dir.resolve("redis.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(this::answers);
	}

	/** Kills the process at once, as a crash would. */
	public synchronized void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	public boolean running() {
		return this.process != null && this.process.isAlive();
	}

	/** Whether it answers PING now. */
	boolean answers() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			socket.setSoTimeout(500);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] reply = new byte[7];
			int read = socket.getInputStream().read(reply);
			return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Runs {@code redis-cli -p <port> args...} and returns its output. */
	public String cli(String... args) {
		List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(this.port)));
		command.addAll(List.of(args));
		return RedisServerExtension.run(command);
	}

	private static int freePort() {
		for (int attempt = 0; attempt < 100; attempt++) {
			int port = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
			if (free(port) && free(port + 10_000)) {
				return port;
			}
		}
		throw new IllegalStateException("no free port pair found");
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress("127.0.0.1", port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
