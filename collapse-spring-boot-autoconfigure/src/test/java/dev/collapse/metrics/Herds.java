package dev.collapse.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.core.LoadObservation;
import dev.collapse.core.Loader;

/**
 * Makes exact herds for tests: {@code callers} threads released together by a latch call one key,
 * and the load is held until every other caller has attached to it as a follower, so that one
 * load serves exactly {@code callers} callers.
 */
public final class Herds implements CollapseListener {

	private volatile CountDownLatch followers = new CountDownLatch(0);

	/** The views bound so far, by instance name: what another listener under test is given. */
	private final Map<String, InstanceView> views = new ConcurrentHashMap<>();

	/** Counts followers as they start to wait; bind it to the registry under test. */
	@Override
	public InstanceEvents bind(InstanceView instance) {
		this.views.put(instance.name(), instance);
		return new InstanceEvents() {
			@Override
			public LoadObservation startWait() {
				Herds.this.followers.countDown();
				return LoadObservation.NONE;
			}
		};
	}

	/** The view of the instance {@code name} that the registry bound this listener to. */
	public InstanceView view(String name) {
		InstanceView view = this.views.get(name);
		if (view == null) {
			throw new IllegalStateException("no instance '" + name + "' was bound");
		}
		return view;
	}

	/** Starts counting {@code followers} followers for a herd run by hand. */
	public void expect(int followers) {
		this.followers = new CountDownLatch(followers);
	}

	/**
	 * Waits until the followers expected have attached; called from the load of a herd run by hand.
	 * @throws TimeoutException if they did not arrive in 10 seconds
	 */
	public void awaitFollowers() throws InterruptedException, TimeoutException {
		if (!this.followers.await(10, TimeUnit.SECONDS)) {
			throw new TimeoutException("followers did not arrive: " + this.followers.getCount() + " missing");
		}
	}

	/**
	 * Runs a herd of {@code callers} on {@code key}; the load returns {@code value}, or throws
	 * {@code failure} when it is not {@code null}.
	 * @return the outcome of each caller: its value, or the exception it got
	 */
	public List<Object> run(CollapseInstance instance, Object key, int callers, Object value, Exception failure)
			throws Exception {
		expect(callers - 1);
		Loader load = () -> {
			awaitFollowers();
			if (failure != null) {
				throw failure;
			}
			return value;
		};
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			List<Future<Object>> futures = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				futures.add(pool.submit(() -> {
					start.await();
					try {
						return instance.call(key, load);
					}
					catch (Throwable ex) {
						return ex;
					}
				}));
			}
			start.countDown();
			List<Object> outcomes = new ArrayList<>();
			for (Future<Object> future : futures) {
				outcomes.add(future.get(20, TimeUnit.SECONDS));
			}
			return outcomes;
		}
		finally {
			pool.shutdownNow();
		}
	}

}
