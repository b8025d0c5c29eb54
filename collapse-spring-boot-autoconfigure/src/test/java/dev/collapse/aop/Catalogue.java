package dev.collapse.aop;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.annotation.Collapsed;

/**
 * A reader and the writers that evict what it stored, as an application writes them: the reader
 * keys on {@code #id}, the writers on {@code #product.id}, {@code #id} or nothing (all entries).
 */
public class Catalogue {

	/** A product as the writers take it; its id is a {@code long}, as the reader's parameter is. */
	public record Product(long id, String name) {
	}

	/** The rows behind the reader: what it loads. */
	private final Map<Long, String> rows = new ConcurrentHashMap<>();

	private final AtomicInteger loads = new AtomicInteger();

	private final AtomicInteger nameLoads = new AtomicInteger();

	/** Completes {@link #updateLater}; replaced by each test that uses it. */
	private volatile CompletableFuture<Void> pending = new CompletableFuture<>();

	// accessors, not fields: the tests hold the class proxy, whose own fields are never set

	public Map<Long, String> rows() {
		return this.rows;
	}

	public int loads() {
		return this.loads.get();
	}

	public int nameLoads() {
		return this.nameLoads.get();
	}

	public CompletableFuture<Void> pending() {
		return this.pending;
	}

	public void pending(CompletableFuture<Void> pending) {
		this.pending = pending;
	}

	@Collapsed(name = "products", key = "#id", ttl = "1h")
	public String find(long id) {
		this.loads.incrementAndGet();
		return this.rows.getOrDefault(id, "none");
	}

	@Collapsed(name = "names", key = "#name", ttl = "1h")
	public Long byName(String name) {
		this.nameLoads.incrementAndGet();
		return this.rows.entrySet().stream().filter((row) -> row.getValue().equals(name))
			.map(Map.Entry::getKey).findFirst().orElse(-1L);
	}

	@CollapseEvict(name = "products", key = "#product.id")
	public void update(Product product) {
		this.rows.put(product.id(), product.name());
	}

	/** Evicts from two instances: the product by id and the old name's lookup. */
	@CollapseEvict(name = "products", key = "#product.id")
	@CollapseEvict(name = "names", key = "#oldName")
	public void rename(Product product, String oldName) {
		this.rows.put(product.id(), product.name());
	}

	@CollapseEvict(name = "products", allEntries = true)
	public void renameAll(String suffix) {
		this.rows.replaceAll((id, name) -> name + suffix);
	}

	@CollapseEvict(name = "products", key = "#id")
	public void failingUpdate(long id) {
		this.rows.put(id, "half-written");
		throw new IllegalStateException("write failed");
	}

	@CollapseEvict(name = "products", key = "#id", beforeInvocation = true)
	public void failingUpdateEvictingFirst(long id) {
		throw new IllegalStateException("write failed");
	}

	/** Writes now, and is done when {@link #pending} completes. */
	@CollapseEvict(name = "products", key = "#product.id")
	public CompletableFuture<Void> updateLater(Product product) {
		this.rows.put(product.id(), product.name());
		return this.pending;
	}

	/** Writes when subscribed, and is done when {@link #pending} completes. */
	@CollapseEvict(name = "products", key = "#product.id")
	public Mono<Void> updateReactively(Product product) {
		return Mono.fromRunnable(() -> this.rows.put(product.id(), product.name()))
			.then(Mono.fromFuture(() -> this.pending));
	}

}
