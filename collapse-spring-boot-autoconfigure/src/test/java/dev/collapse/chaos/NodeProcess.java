package dev.collapse.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The parent's handle on one {@link ChaosNode} JVM: starts it, sends it commands, and reads its
 * protocol lines (see {@link ChaosNode}) into futures and the last totals it reported. Its other
 * output is echoed with the node's name, and its last lines are kept for the failure message of a
 * node that does not start or does not answer.
 */
final class NodeProcess {

	/** What the soak does with a node's events. */
	interface Sink {

		void fallback(long nanos);

		void leaseLost(String key, long nanos);

		void evicted(String key, long start, long end);

		void violation(String text);

	}

	private static final int TAIL_LINES = 60;

	final String name;

	final Process process;

	final CompletableFuture<Void> ready = new CompletableFuture<>();

	final CompletableFuture<String> done = new CompletableFuture<>();

	final CompletableFuture<Void> closed = new CompletableFuture<>();

	private final Sink sink;

	private final Deque<String> tail = new ArrayDeque<>();

	private Thread errorReader;

	/** Why the node said it could not start. */
	private volatile String failure = "";

	/** The totals of its last {@code STATS} line. */
	private volatile Map<String, Long> stats = Map.of();

	private NodeProcess(String name, Process process, Sink sink) {
		this.name = name;
		this.process = process;
		this.sink = sink;
	}

	/** Starts a node JVM with the test's class path: {@code properties} are Spring Boot properties. */
	static NodeProcess start(String name, List<String> properties, Sink sink) throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
				System.getProperty("java.class.path"), ChaosNode.class.getName(), "--chaos.node=" + name));
		for (String property : properties) {
			command.add("--" + property);
		}
		NodeProcess node = new NodeProcess(name, new ProcessBuilder(command).start(), sink);
		node.errorReader = node.read(node.process.getErrorStream(), false);
		node.read(node.process.getInputStream(), true);
		return node;
	}

	void send(String command) {
		try {
			OutputStream in = this.process.getOutputStream();
			in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
			in.flush();
		}
		catch (IOException ex) {
			throw new IllegalStateException(this.name + " does not take commands: " + ex + output(), ex);
		}
	}

	/** Waits for a future of this node; a node that ended or timed out fails with its last output lines. */
	<T> T await(CompletableFuture<T> future, String what, long seconds) {
		try {
			return future.get(seconds, TimeUnit.SECONDS);
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(this.name + ": no " + what + " within " + seconds + " s" + output(), ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	Map<String, Long> stats() {
		return this.stats;
	}

	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(20, TimeUnit.SECONDS);
	}

	String output() {
		synchronized (this.tail) {
			return "; its last lines:\n    " + String.join("\n    ", this.tail);
		}
	}

	private Thread read(InputStream stream, boolean protocol) {
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
				String line;
				while ((line = lines.readLine()) != null) {
					if (protocol && line.startsWith(ChaosNode.MARK)) {
						handle(line.substring(ChaosNode.MARK.length()));
					}
					else {
						System.out.println("[" + this.name + "] " + line);
						synchronized (this.tail) {
							this.tail.addLast(line);
							if (this.tail.size() > TAIL_LINES) {
								this.tail.removeFirst();
							}
						}
					}
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
			if (protocol) {
				// stderr may still hold the reason: wait for the process and its last lines, then fail what is still awaited
				try {
					this.process.waitFor(10, TimeUnit.SECONDS);
					this.errorReader.join(5000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				IllegalStateException ended = new IllegalStateException(this.name + " ended" + (this.process.isAlive() ? ""
						: " with exit code " + this.process.exitValue()) + this.failure + output());
				this.ready.completeExceptionally(ended);
				this.done.completeExceptionally(ended);
				this.closed.completeExceptionally(ended);
			}
		}, "chaos-" + this.name + (protocol ? "-out" : "-err"));
		reader.setDaemon(true);
		reader.start();
		return reader;
	}

	private void handle(String line) {
		int space = line.indexOf(' ');
		String type = (space < 0) ? line : line.substring(0, space);
		String rest = (space < 0) ? "" : line.substring(space + 1);
		switch (type) {
			case "READY" -> this.ready.complete(null);
			case "STATS" -> {
				Map<String, Long> values = new HashMap<>();
				for (String pair : rest.split(" ")) {
					int equals = pair.indexOf('=');
					values.put(pair.substring(0, equals), Long.parseLong(pair.substring(equals + 1)));
				}
				this.stats = values;
			}
			case "FALLBACK" -> this.sink.fallback(Long.parseLong(rest));
			case "LEASE_LOST" -> {
				String[] words = rest.split(" ");
				this.sink.leaseLost(words[1], Long.parseLong(words[0]));
			}
			case "EVICTED" -> {
				String[] words = rest.split(" ");
				this.sink.evicted(words[2], Long.parseLong(words[0]), Long.parseLong(words[1]));
			}
			case "VIOLATION" -> this.sink.violation(this.name + ": " + rest);
			case "DONE" -> this.done.complete(rest);
			case "CLOSED" -> this.closed.complete(null);
			case "FAILED" -> this.failure = " (failed to start: " + rest + ")";
			default -> this.sink.violation(this.name + " sent an unknown line: " + line);
		}
	}

}
