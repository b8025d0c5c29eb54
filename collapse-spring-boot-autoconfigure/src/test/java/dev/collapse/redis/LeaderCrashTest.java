package dev.collapse.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A leader that crashes while it holds the lease: its followers elsewhere take over within the lease. */
class LeaderCrashTest {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.standalone();

	@Test
	void leaderKilledWhileLoadingFollowersFinishWithinTheLeaseWithOneExtraLoad() throws Exception {
		long id = 41;
		Upstream upstream = new Upstream();
		try (Fleet fleet = Fleet.start(2, redis, upstream)) {
			List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
					LeaderProcess.class.getName(), Long.toString(id)));
			for (String property : redis.properties()) {
				command.add("--" + property);
			}
			command.addAll(List.of("--collapse.redis.enabled=true", "--collapse.redis.key-prefix=" + fleet.prefix,
					"--collapse.redis.lease=2s", "--fleet.node=child", "--spring.main.banner-mode=off",
					"--logging.level.root=WARN"));
			Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
			try {
				CompletableFuture<Void> loading = new CompletableFuture<>();
				Thread reader = new Thread(() -> readUntilLoading(child, loading), "leader-process-output");
				reader.setDaemon(true);
				reader.start();
				loading.get(90, TimeUnit.SECONDS);

				CountDownLatch arrived = new CountDownLatch(2 * 25);
				List<Future<Product>> followers = Herd.run(2, 25, arrived, (node) -> () -> fleet.service(node).find(id));
				await().atMost(Duration.ofSeconds(10)).until(() -> fleet.layer(0).waiting() > 0 && fleet.layer(1).waiting() > 0);

				child.destroyForcibly();
				long killed = System.nanoTime();
				assertThat(Herd.values(followers, 15)).hasSize(50).containsOnly(new Product(id, "p" + id));
				// the lease is 2 s; a small bound on top, far below the 15 s wait timeout
				assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(2 + 3));
				assertThat(upstream.loads()).as("loads after the crash").isEqualTo(1);
			}
			finally {
				child.destroyForcibly();
				child.waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	private static void readUntilLoading(Process child, CompletableFuture<Void> loading) {
		StringBuilder output = new StringBuilder();
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				if (line.equals("LOADING")) {
					loading.complete(null);
				}
				else if (!loading.isDone()) {
					output.append(line).append('\n');
				}
			}
		}
		catch (IOException ex) {
			// the process was killed
		}
		loading.completeExceptionally(new IllegalStateException("leader process ended before loading:\n" + output));
	}

}
