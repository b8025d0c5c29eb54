package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads of one test for callers that block: each call gets a thread of its own, and the threads
 * are stopped after the test. Register it as an instance field, so that each test has its own:
 * {@code @RegisterExtension final Callers callers = new Callers();}
 *
 * <p>Never {@code CompletableFuture.supplyAsync} without an executor for a call that blocks: that
 * runs on the common pool, whose parallelism is the core count minus one. On two cores that is 1;
 * JDK 17 then gave each task a thread of its own, JDK 25 queues the tasks behind the one worker,
 * so a second caller starts only when the first returns, and a test that waits for both hangs.
 */
public final class Callers implements AfterEachCallback, AutoCloseable {

	/** Long enough for a caller to see its interrupt and return; a caller still running is a leak. */
	private static final Duration STOP_PATIENCE = Duration.ofSeconds(10);

	private final ExecutorService threads = Executors.newCachedThreadPool(new Named());

	/** Runs {@code call} on a new thread; a checked exception completes the future exceptionally. */
	public <T> CompletableFuture<T> supply(Callable<T> call) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return call.call();
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new CompletionException(ex);
			}
		}, this.threads);
	}

	/** Runs {@code task} on a new thread. */
	public CompletableFuture<Void> run(Runnable task) {
		return CompletableFuture.runAsync(task, this.threads);
	}

	/** The executor itself, for code that takes one (a service method that loads in the background). */
	public ExecutorService executor() {
		return this.threads;
	}

	@Override
	public void afterEach(ExtensionContext context) throws InterruptedException {
		close();
	}

	/** Interrupts the callers still running and fails if one of them does not stop. */
	@Override
	public void close() throws InterruptedException {
		this.threads.shutdownNow();
		assertThat(this.threads.awaitTermination(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
			.as("the test's callers stopped within %s of their interrupt", STOP_PATIENCE)
			.isTrue();
	}

	/** Daemon threads with a name that says whose they are, for thread dumps of a hung test. */
	private static final class Named implements ThreadFactory {

		private final AtomicInteger count = new AtomicInteger();

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, "test-caller-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
