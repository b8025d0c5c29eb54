package dev.collapse.chaos;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the soak's one {@link ChaosUpstream} to the nodes' JVMs on a localhost port, one thread
 * per connection. A request is one line, {@code L <node> <key> <nanos>} for a load begun at {@code nanos} or {@code W <key>} for
 * a write; the reply is one line: {@code V <version>}, {@code F <message>} for the upstream's own
 * failure, or {@code E <message>} for anything else. A load whose node was killed runs to its end here, as a real upstream would.
 */
final class UpstreamServer implements AutoCloseable {

	private final ChaosUpstream upstream;

	private final ServerSocket server;

	private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	UpstreamServer(ChaosUpstream upstream) throws IOException {
		this.upstream = upstream;
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress("127.0.0.1", 0));
		Thread acceptor = new Thread(this::accept, "chaos-upstream-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket socket = this.server.accept();
				socket.setTcpNoDelay(true);
				this.connections.add(socket);
				Thread thread = new Thread(() -> serve(socket), "chaos-upstream");
				thread.setDaemon(true);
				thread.start();
			}
			catch (IOException ex) {
				// closed, or a connection that failed before it was served
			}
		}
	}

	private void serve(Socket socket) {
		try (socket;
				BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
				OutputStream out = socket.getOutputStream()) {
			String request;
			while ((request = in.readLine()) != null) {
				String[] words = request.split(" ");
				String reply;
				try {
					reply = "V " + switch (words[0]) {
						case "L" -> this.upstream.load(words[1], words[2], Long.parseLong(words[3])).version();
						case "W" -> this.upstream.write(words[1]);
						default -> throw new IllegalArgumentException("unknown request " + request);
					};
				}
				catch (ChaosUpstream.UpstreamException ex) {
					reply = "F " + ex.getMessage();
				}
				catch (Exception ex) {
					reply = "E " + ex;
				}
				out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
				out.flush();
			}
		}
		catch (IOException ex) {
			// the node closed its connection, or was killed
		}
		finally {
			this.connections.remove(socket);
		}
	}

	@Override
	public void close() {
		this.closed = true;
		closeQuietly(this.server);
		this.connections.forEach(UpstreamServer::closeQuietly);
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

}
