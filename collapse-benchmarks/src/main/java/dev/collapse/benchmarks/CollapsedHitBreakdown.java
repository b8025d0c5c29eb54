package dev.collapse.benchmarks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Loader;

/**
 * Where the time of {@link HitPathBenchmark#collapsed} goes: the same warm hit, one layer at a
 * time, so that the difference between two neighbours is the cost of one layer.
 * <ol>
 * <li>{@code caffeineDirect}: the floor (see {@link HitPathBenchmark});</li>
 * <li>{@code storeShapedCaffeine}: a Caffeine cache built like collapse's {@code LocalStore}
 * (bounded, per-entry expiry, a composite key allocated per read), to price that configuration;</li>
 * <li>{@code storeShapedCaffeineAndClock}: the same, plus the clock read and expiry check that
 * {@code CollapseInstance.call} does after the lookup;</li>
 * <li>{@code proxyPassThrough}: a Spring CGLIB proxy whose only advice proceeds, around a direct
 * Caffeine lookup: what any proxied cache pays before its own interceptor runs;</li>
 * <li>{@code proxyAndOperationLookup}: the same proxy, whose advice first finds the method's
 * operation the way {@code CollapsedInterceptor} and {@code CollapsedOperations.get} do;</li>
 * <li>{@code coreHit}: {@code CollapseInstance.call} of the very instance behind the proxy, without
 * the proxy: the core's share;</li>
 * <li>{@code collapsed}: the whole hit through the proxy.</li>
 * </ol>
 * A diagnostic, not a goal: the goal is stated on {@link HitPathBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class CollapsedHitBreakdown {

	/** Never runs: every key is warm, and a hit never calls its loader. */
	private static final Loader UNUSED = () -> {
		throw new IllegalStateException("a hit ran its loader");
	};

	@Benchmark
	public String caffeineDirect(HitPathBenchmark.CaffeineState state, HitPathBenchmark.Cursor cursor) {
		return state.cache.getIfPresent(cursor.next());
	}

	@Benchmark
	public Object storeShapedCaffeine(StoreShapedState state, HitPathBenchmark.Cursor cursor) {
		return state.get(cursor.next());
	}

	@Benchmark
	public boolean storeShapedCaffeineAndClock(StoreShapedState state, HitPathBenchmark.Cursor cursor) {
		return state.getUnexpired(cursor.next()) != null;
	}

	@Benchmark
	public String proxyPassThrough(ProxyState state, HitPathBenchmark.Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public String proxyAndOperationLookup(ProxyWithLookupState state, HitPathBenchmark.Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	@Benchmark
	public Object coreHit(CoreState state, HitPathBenchmark.Cursor cursor) throws Throwable {
		return state.instance.call(cursor.next(), UNUSED);
	}

	@Benchmark
	public String collapsed(HitPathBenchmark.CollapsedState state, HitPathBenchmark.Cursor cursor) {
		return state.catalog.find(cursor.next());
	}

	/** The instance behind {@link CollapsedCatalog#find}, taken from the warmed application. */
	@State(Scope.Benchmark)
	public static class CoreState {

		CollapseInstance instance;

		@Setup(Level.Trial)
		public void find(HitPathBenchmark.CollapsedState application) {
			this.instance = application.bean(CollapseRegistry.class)
				.find("CollapsedCatalog.find")
				.orElseThrow(() -> new IllegalStateException("no instance CollapsedCatalog.find"));
		}

	}

	/** A CGLIB proxy made by the same factory auto-proxying uses, with one advice that only proceeds. */
	@State(Scope.Benchmark)
	public static class ProxyState {

		Catalog catalog;

		@Setup(Level.Trial)
		public void create(HitPathBenchmark.CaffeineState caffeine) {
			ProxyFactory factory = new ProxyFactory(new DirectCatalog(caffeine.cache));
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) MethodInvocation::proceed);
			this.catalog = (Catalog) factory.getProxy();
		}

	}

	/**
	 * The proxy of {@link ProxyState} whose advice first does what {@code CollapsedInterceptor.invoke}
	 * and {@code CollapsedOperations.get} do on every call: find the target class, then look the
	 * operation up in a concurrent map under a new {@code MethodClassKey}.
	 */
	@State(Scope.Benchmark)
	public static class ProxyWithLookupState {

		Catalog catalog;

		@Setup(Level.Trial)
		public void create(HitPathBenchmark.CaffeineState caffeine) throws NoSuchMethodException {
			Map<MethodClassKey, Object> operations = new ConcurrentHashMap<>();
			// a Method of its own, as the startup validation would register it: equal, not identical
			operations.put(new MethodClassKey(DirectCatalog.class.getMethod("find", Long.class), DirectCatalog.class),
					"operation");
			ProxyFactory factory = new ProxyFactory(new DirectCatalog(caffeine.cache));
			factory.setProxyTargetClass(true);
			factory.addAdvice((MethodInterceptor) (invocation) -> {
				Class<?> targetClass = AopUtils.getTargetClass(invocation.getThis());
				if (operations.get(new MethodClassKey(invocation.getMethod(), targetClass)) == null) {
					throw new IllegalStateException("no operation for " + invocation.getMethod());
				}
				return invocation.proceed();
			});
			this.catalog = (Catalog) factory.getProxy();
		}

	}

	/** A catalog that reads a Caffeine cache itself. */
	public static class DirectCatalog extends Catalog {

		private final Cache<Long, String> cache;

		public DirectCatalog(Cache<Long, String> cache) {
			this.cache = cache;
		}

		@Override
		public String find(Long id) {
			return this.cache.getIfPresent(id);
		}

	}

	/**
	 * Built with the same calls as {@code dev.collapse.core.LocalStore} (maximum size, system
	 * ticker, {@code expireAfter} with a per-entry deadline) and read the same way (a new
	 * two-part key per read). A copy, because the store's {@code get} is package-private.
	 */
	@State(Scope.Benchmark)
	public static class StoreShapedState {

		private Cache<StoreKey, StoreEntry> cache;

		@Setup(Level.Trial)
		public void fill(HitPathBenchmark.Workload workload) {
			this.cache = configure(Caffeine.newBuilder()).expireAfter(new RetainUntil()).build();
			long expiresAt = Ticker.systemTicker().read() + TimeUnit.MINUTES.toNanos(10);
			long retainUntil = expiresAt + TimeUnit.MINUTES.toNanos(1);
			for (Long id : workload.ids()) {
				this.cache.put(new StoreKey("CollapsedCatalog.find", id),
						new StoreEntry("product-" + id, expiresAt, retainUntil));
			}
		}

		Caffeine<Object, Object> configure(Caffeine<Object, Object> builder) {
			return builder.maximumSize(10_000).ticker(Ticker.systemTicker());
		}

		Object get(Long id) {
			StoreEntry entry = this.cache.getIfPresent(new StoreKey("CollapsedCatalog.find", id));
			return (entry != null) ? entry.value() : null;
		}

		/** The lookup, then the clock read and check of {@code CollapseInstance.call}'s hit path. */
		Object getUnexpired(Long id) {
			StoreEntry entry = this.cache.getIfPresent(new StoreKey("CollapsedCatalog.find", id));
			if (entry == null || Ticker.systemTicker().read() - entry.expiresAt() >= 0) {
				return null;
			}
			return entry.value();
		}

	}

	record StoreKey(String instance, Object key) {
	}

	/** Served until expiresAt, kept until retainUntil, like the store's entries. */
	record StoreEntry(Object value, long expiresAt, long retainUntil) {
	}

	/** Per-entry expiry as the store does it: a deadline fixed at write, untouched by reads. */
	static final class RetainUntil implements Expiry<StoreKey, StoreEntry> {

		@Override
		public long expireAfterCreate(StoreKey key, StoreEntry entry, long currentTime) {
			return Math.max(0, entry.retainUntil() - currentTime);
		}

		@Override
		public long expireAfterUpdate(StoreKey key, StoreEntry entry, long currentTime, long currentDuration) {
			return Math.max(0, entry.retainUntil() - currentTime);
		}

		@Override
		public long expireAfterRead(StoreKey key, StoreEntry entry, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
