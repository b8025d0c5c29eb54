package dev.collapse.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Many callers on many nodes, released together by one latch. */
final class Herd {

	private Herd() {
	}

	/**
	 * Runs {@code perNode} callers on each of {@code nodes} nodes, all released by one latch;
	 * {@code call} gives the call of a node. Returns every caller's future, in node order.
	 * @param arrived counted down by each caller just before its call
	 */
	static <T> List<Future<T>> run(int nodes, int perNode, CountDownLatch arrived, IntFunction<Callable<T>> call) {
		ExecutorService pool = Executors.newFixedThreadPool(nodes * perNode);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<T>> results = new ArrayList<>();
		for (int node = 0; node < nodes; node++) {
			Callable<T> each = call.apply(node);
			for (int i = 0; i < perNode; i++) {
				results.add(pool.submit(() -> {
					start.await();
					arrived.countDown();
					return each.call();
				}));
			}
		}
		start.countDown();
		pool.shutdown();
		return results;
	}

	static <T> List<T> values(List<Future<T>> results, long timeoutSeconds) throws Exception {
		List<T> values = new ArrayList<>(results.size());
		for (Future<T> result : results) {
			values.add(result.get(timeoutSeconds, TimeUnit.SECONDS));
		}
		return values;
	}

}
