package dev.collapse.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A node's way to the soak's upstream in the parent JVM ({@link UpstreamServer}): a pool of
 * connections, one request and one reply at a time on each. The upstream's own failure comes back
 * as {@link ChaosUpstream.UpstreamException}; losing the parent is no documented failure, and
 * reaches the caller as an {@link UncheckedIOException} that the soak counts as a violation.
 */
final class UpstreamClient implements ChaosService.Source, AutoCloseable {

	private record Connection(Socket socket, BufferedReader in, OutputStream out) {
	}

	private final int port;

	private final Queue<Connection> idle = new ConcurrentLinkedQueue<>();

	UpstreamClient(int port) {
		this.port = port;
	}

	@Override
	public Versioned load(String node, String key) throws Exception {
		return new Versioned(key, request("L " + node + " " + key + " " + System.nanoTime()), node);
	}

	/** See {@link ChaosUpstream#write}. */
	long write(String key) throws Exception {
		return request("W " + key);
	}

	private long request(String request) throws Exception {
		Connection connection = this.idle.poll();
		String reply;
		try {
			if (connection == null) {
				connection = open();
			}
			connection.out().write((request + "\n").getBytes(StandardCharsets.UTF_8));
			connection.out().flush();
			reply = connection.in().readLine();
			if (reply == null) {
				throw new IOException("the upstream server closed the connection");
			}
		}
		catch (IOException ex) {
			if (connection != null) {
				connection.socket().close();
			}
			throw new UncheckedIOException("the soak's upstream server did not answer", ex);
		}
		this.idle.add(connection);
		String detail = reply.substring(2);
		return switch (reply.charAt(0)) {
			case 'V' -> Long.parseLong(detail);
			case 'F' -> throw new ChaosUpstream.UpstreamException(detail);
			default -> throw new IllegalStateException("the soak's upstream failed: " + detail);
		};
	}

	private Connection open() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", this.port), 2000);
		socket.setTcpNoDelay(true);
		// a load takes 5 to 30 ms; this only ends a wait for a parent that is gone
		socket.setSoTimeout(30_000);
		return new Connection(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)),
				socket.getOutputStream());
	}

	@Override
	public void close() throws IOException {
		Connection connection;
		while ((connection = this.idle.poll()) != null) {
			connection.socket().close();
		}
	}

}
