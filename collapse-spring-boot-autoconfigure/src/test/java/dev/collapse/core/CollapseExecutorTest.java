package dev.collapse.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pool collapse creates for what its timers make due: named daemon threads, bounded, and a
 * close that refuses new work but still runs what is queued, since each task ends a caller's wait.
 */
class CollapseExecutorTest {

	@Test
	void boundedPoolRefusesBeyondItsQueueAndClosingStillRunsWhatIsQueued() throws InterruptedException {
		CollapseExecutor pool = CollapseExecutor.bounded(1, 1);
		Executor executor = pool.executor();
		CountDownLatch mayFinish = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		AtomicReference<Thread> thread = new AtomicReference<>();
		executor.execute(() -> {
			thread.set(Thread.currentThread());
			running.countDown();
			Herd.hold(mayFinish);
		});
		assertThat(running.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
		CountDownLatch queuedRan = new CountDownLatch(1);
		executor.execute(queuedRan::countDown);
		assertThatThrownBy(() -> executor.execute(() -> {
		})).as("beyond the one thread and the one queue slot").isInstanceOf(RejectedExecutionException.class);

		pool.close();
		assertThatThrownBy(() -> executor.execute(() -> {
		})).as("once closed").isInstanceOf(RejectedExecutionException.class);
		mayFinish.countDown();
		assertThat(queuedRan.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("queued before the close").isTrue();
		assertThat(thread.get().getName()).isEqualTo("collapse-exec-1");
		assertThat(thread.get().isDaemon()).isTrue();
	}

	@Test
	void anExecutorOfTheApplicationIsNeverShutDownByUs() {
		ThreadPoolExecutor theirs = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
		try {
			CollapseExecutor.of(theirs).close();
			assertThat(theirs.isShutdown()).isFalse();
		}
		finally {
			theirs.shutdownNow();
		}
	}

	@Test
	void aPoolNeedsAThreadAndAQueueSlot() {
		assertThatIllegalArgumentException().isThrownBy(() -> CollapseExecutor.bounded(0, 10));
		assertThatIllegalArgumentException().isThrownBy(() -> CollapseExecutor.bounded(1, 0));
	}

}
