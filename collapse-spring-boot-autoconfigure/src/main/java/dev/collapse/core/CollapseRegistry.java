package dev.collapse.core;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedLayer;

/**
 * The instances of one node, by name, and the resources they share: the store, a
 * scheduler for timeouts and retry delays (timers only), the executor that runs what those timers
 * make due, the refresh executor and the listeners.
 *
 * <p>Thread-safe. An instance is created at most once per name, atomically, and its listeners
 * are bound before any caller can reach it; creating one never runs a load. As a
 * {@link Collapser}, it keeps the contract stated there.
 */
public final class CollapseRegistry implements Collapser, AutoCloseable {

	private final ConcurrentHashMap<String, CollapseInstance> instances = new ConcurrentHashMap<>();

	private final LocalStore store;

	private final Function<String, CollapseSettings> settingsByName;

	private final List<CollapseListener> listeners;

	private final @Nullable Executor refreshExecutor;

	/** Timers only: what they make due runs on {@link #executor} (see docs/design.md, "Threads"). */
	private final ScheduledThreadPoolExecutor scheduler;

	private final Executor executor;

	/** The executor this registry created, closed with it; {@code null} when it was given one. */
	private final @Nullable CollapseExecutor ownExecutor;

	/** The fleet's layer (Redis), or {@code null} when calls are collapsed in this JVM only. */
	private final @Nullable DistributedLayer distributed;

	/**
	 * @param store where results are kept
	 * @param settingsByName settings of an instance first named through {@link Collapser}
	 * @param listeners observers, bound to each instance as it is created
	 * @param refreshExecutor where early refreshes run; {@code null} turns early refresh off
	 */
	public CollapseRegistry(LocalStore store, Function<String, CollapseSettings> settingsByName,
			List<CollapseListener> listeners, @Nullable Executor refreshExecutor) {
		this(store, settingsByName, listeners, refreshExecutor, null);
	}

	/**
	 * A registry that runs what its timers make due on an executor of its own,
	 * {@link CollapseExecutor#bounded} with the defaults of {@code collapse.executor.*}, closed
	 * with it.
	 * @param distributed the fleet's layer; instances created with a value type are collapsed
	 * through it, instances without one in this JVM only; {@code null} for none
	 */
	public CollapseRegistry(LocalStore store, Function<String, CollapseSettings> settingsByName,
			List<CollapseListener> listeners, @Nullable Executor refreshExecutor, @Nullable DistributedLayer distributed) {
		this(store, settingsByName, listeners, refreshExecutor, distributed,
				CollapseExecutor.bounded(CollapseExecutor.DEFAULT_MAX_THREADS, CollapseExecutor.DEFAULT_QUEUE_CAPACITY),
				true);
	}

	/**
	 * @param executor where the application's code that a timer made due runs (a retry of an
	 * asynchronous load, an asynchronous follower's timeout); the caller owns it and closes it
	 * after this registry
	 */
	public CollapseRegistry(LocalStore store, Function<String, CollapseSettings> settingsByName,
			List<CollapseListener> listeners, @Nullable Executor refreshExecutor, @Nullable DistributedLayer distributed,
			Executor executor) {
		this(store, settingsByName, listeners, refreshExecutor, distributed, CollapseExecutor.of(executor), false);
	}

	private CollapseRegistry(LocalStore store, Function<String, CollapseSettings> settingsByName,
			List<CollapseListener> listeners, @Nullable Executor refreshExecutor, @Nullable DistributedLayer distributed,
			CollapseExecutor executor, boolean ownsExecutor) {
		this.distributed = distributed;
		this.executor = executor.executor();
		this.ownExecutor = ownsExecutor ? executor : null;
		this.store = Objects.requireNonNull(store, "store");
		this.settingsByName = Objects.requireNonNull(settingsByName, "settingsByName");
		this.listeners = List.copyOf(listeners);
		this.refreshExecutor = refreshExecutor;
		this.scheduler = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "collapse-scheduler");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Creates the instance {@code name} with {@code settings}, or returns it if it exists with the
	 * same settings.
	 * @throws IllegalStateException if it exists with other settings
	 */
	public CollapseInstance register(String name, CollapseSettings settings) {
		return register(name, settings, null);
	}

	/**
	 * Creates the instance {@code name} with {@code settings} and results of {@code valueType}, or
	 * returns it if it exists with the same settings (and, with a distributed layer, the same type).
	 * @param valueType declared type of the results; needed by the distributed layer to read them
	 * back, {@code null} collapses the instance in this JVM only
	 * @throws IllegalStateException if it exists with other settings or another type
	 * @throws IllegalArgumentException if the distributed layer cannot read back {@code valueType}
	 */
	public CollapseInstance register(String name, CollapseSettings settings, @Nullable Type valueType) {
		CollapseInstance instance = this.instances.computeIfAbsent(name, (n) -> create(n, settings, valueType));
		if (!instance.settings().equals(settings)) {
			throw new IllegalStateException("collapse instance '" + name + "' already exists with other settings ("
					+ instance.settings() + "); give each method its own name, or the same settings");
		}
		checkType(instance, valueType);
		return instance;
	}

	/** The instance {@code name}, created with its configured settings if it does not exist yet. */
	public CollapseInstance instance(String name) {
		CollapseInstance instance = this.instances.get(name);
		return (instance != null) ? instance
				: this.instances.computeIfAbsent(name, (n) -> create(n, this.settingsByName.apply(n), null));
	}

	/**
	 * The instance {@code name} with results of {@code valueType}, created with its configured
	 * settings if it does not exist yet.
	 * @throws IllegalStateException if it exists with another type while a distributed layer is on
	 */
	public CollapseInstance instance(String name, Type valueType) {
		CollapseInstance instance = this.instances.get(name);
		if (instance == null) {
			instance = this.instances.computeIfAbsent(name,
					(n) -> create(n, this.settingsByName.apply(n), valueType));
		}
		checkType(instance, valueType);
		return instance;
	}

	/** Entries in the fleet's store are read as one type: every user of a name must agree on it. */
	private void checkType(CollapseInstance instance, @Nullable Type valueType) {
		if (this.distributed != null && valueType != null && !valueType.equals(instance.valueType())) {
			throw new IllegalStateException("collapse instance '" + instance.name() + "' already exists with "
					+ ((instance.valueType() != null) ? "values of type " + instance.valueType().getTypeName()
							: "no value type (first used without one)")
					+ ", not " + valueType.getTypeName()
					+ "; its entries are shared through Redis, so every user of the name must declare the same type");
		}
	}

	/**
	 * Why keys of the declared type {@code keyType} cannot be shared with the fleet by
	 * {@code instance}, or {@code null} if they can or may (then each key is checked when called),
	 * or if the instance is collapsed in this JVM only.
	 */
	public @Nullable String unsupportedFleetKey(CollapseInstance instance, Type keyType) {
		return (this.distributed != null && instance.distributed()) ? this.distributed.unsupportedKeyType(keyType) : null;
	}

	/** The instance {@code name} if it exists. */
	public Optional<CollapseInstance> find(String name) {
		return Optional.ofNullable(this.instances.get(name));
	}

	/** Every instance created so far. */
	public Collection<CollapseInstance> instances() {
		return Collections.unmodifiableCollection(this.instances.values());
	}

	/** The store shared by every instance. */
	public LocalStore store() {
		return this.store;
	}

	private CollapseInstance create(String name, CollapseSettings settings, @Nullable Type valueType) {
		DistributedCoordinator coordinator = (this.distributed != null && valueType != null)
				? this.distributed.coordinator(name, settings, valueType) : null;
		CollapseInstance instance = new CollapseInstance(name, settings, this.store, this.scheduler, this.executor,
				this.refreshExecutor, coordinator, valueType);
		List<InstanceEvents> bound = new ArrayList<>(this.listeners.size());
		for (CollapseListener listener : this.listeners) {
			bound.add(listener.bind(instance.view()));
		}
		instance.bind(InstanceEvents.composite(bound));
		return instance;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends @Nullable Object> T collapse(String name, Object key, Supplier<T> loader) {
		CollapseInstance instance = instanceWithKey(name, key);
		try {
			return (T) instance.call(key(key), loader::get);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			// a Supplier cannot throw a checked exception; nothing else can reach here
			throw new IllegalStateException(ex);
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends @Nullable Object> T collapse(String name, Object key, Type type, Supplier<T> loader) {
		try {
			return (T) instance(name, type).call(key(key), loader::get);
		}
		catch (RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key,
			Supplier<? extends CompletionStage<T>> loader) {
		return (CompletableFuture<T>) instanceWithKey(name, key).callAsync(key(key), loader::get);
	}

	/**
	 * {@code key} as {@code @Collapsed} makes it, so that an array compares by content and code
	 * meets the entries of annotated methods. {@code null} is passed on as it is and refused where
	 * it always was: only a method's null argument becomes {@link NullKey}.
	 */
	private static Object key(Object key) {
		return (key != null) ? Keys.normalize(key) : null;
	}

	/** The instance {@code name}, once both arguments are known not to be null: a clear error otherwise. */
	private CollapseInstance instanceWithKey(String name, Object key) {
		Objects.requireNonNull(name, "name of the collapse instance");
		Objects.requireNonNull(key, () -> "key of collapse instance '" + name + "'");
		return instance(name);
	}

	/** {@inheritDoc} A name this JVM has not used has nothing stored here: nothing is created for it. */
	@Override
	@SuppressWarnings("unchecked")
	public <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key, Type type,
			Supplier<? extends CompletionStage<T>> loader) {
		return (CompletableFuture<T>) instance(name, type).callAsync(key(key), loader::get);
	}

	/**
	 * {@inheritDoc} With a distributed layer, the fleet's entry goes even when this node has no
	 * instance of that name, or one without a value type: other nodes may have stored it (a node
	 * that only writes, for example).
	 */
	@Override
	public void evict(String name, Object key) {
		Objects.requireNonNull(name, "name of the collapse instance");
		Objects.requireNonNull(key, () -> "key of collapse instance '" + name + "'");
		Object normalized = key(key);
		CollapseInstance instance = this.instances.get(name);
		if (instance != null) {
			instance.evict(normalized);
		}
		// an instance with a value type has a coordinator, which evicted in the fleet already
		if (this.distributed != null && (instance == null || instance.valueType() == null)) {
			this.distributed.evict(name, normalized);
		}
	}

	/**
	 * {@inheritDoc} A name this JVM has not used has nothing stored here: nothing is created for
	 * it, but with Redis on the fleet's entries go.
	 */
	@Override
	public void evictAll(String name) {
		Objects.requireNonNull(name, "name of the collapse instance");
		CollapseInstance instance = this.instances.get(name);
		if (instance != null) {
			instance.evictAll();
		}
		// an instance with a value type has a coordinator, which evicted in the fleet already
		if (this.distributed != null && (instance == null || instance.valueType() == null)) {
			this.distributed.evictAll(name);
		}
	}

	/**
	 * Stops the scheduler: pending timeouts and retry delays of asynchronous loads are dropped;
	 * then the executor, if this registry created it.
	 */
	@Override
	public void close() {
		this.scheduler.shutdownNow();
		if (this.ownExecutor != null) {
			this.ownExecutor.close();
		}
	}

}
