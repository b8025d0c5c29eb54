package dev.collapse.redis;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.annotation.Collapsed;
import reactor.core.publisher.Mono;

/**
 * The annotated methods the Redis tests call; every load goes to the shared {@link Upstream}.
 * Closed with its node's context, which stops the threads of its background loads.
 */
public class ProductService implements AutoCloseable {

	private final Upstream upstream;

	private final String node;

	/** Where {@link #future} loads: the upstream can block, so not on the common pool (see {@link Callers}). */
	private final Callers loads = new Callers();

	public ProductService(Upstream upstream, String node) {
		this.upstream = upstream;
		this.node = node;
	}

	@Override
	public void close() throws InterruptedException {
		this.loads.close();
	}

	@Collapsed(name = "products", key = "#id", ttl = "1m", jitter = "0")
	public Product find(long id) throws Exception {
		return (Product) this.upstream.load(this.node, id);
	}

	/** The write side of {@link #find}: its key is the product's id, as {@code #id} there. */
	@CollapseEvict(name = "products", key = "#product.id")
	public void update(Product product) {
		// the write itself is the test's business: it changes what the upstream answers
	}

	/** Collapses concurrent calls only: with Redis the result still reaches waiting nodes. */
	@Collapsed(name = "inflight", key = "#id", ttl = "0")
	public Product inflight(long id) throws Exception {
		return (Product) this.upstream.load(this.node, id);
	}

	@Collapsed(name = "lists", key = "#category", ttl = "1m")
	@SuppressWarnings("unchecked")
	public List<Product> list(String category) throws Exception {
		return (List<Product>) this.upstream.load(this.node, category);
	}

	@Collapsed(name = "optionals", key = "#id", ttl = "1m")
	@SuppressWarnings("unchecked")
	public Optional<Product> maybe(long id) throws Exception {
		return (Optional<Product>) this.upstream.load(this.node, id);
	}

	@Collapsed(name = "monos", key = "#id", ttl = "1m")
	public Mono<Product> mono(long id) {
		return Mono.fromCallable(() -> (Product) this.upstream.load(this.node, id));
	}

	@Collapsed(name = "futures", key = "#id", ttl = "1m")
	public CompletableFuture<Product> future(long id) {
		return this.loads.supply(() -> (Product) this.upstream.load(this.node, id));
	}

	/**
	 * A non-blocking upstream, as in a WebFlux application: the load returns, on the thread that
	 * starts it, the future that the upstream's behaviour gives (one a test completes), and no
	 * thread waits for it.
	 */
	@Collapsed(name = "nonblocking", key = "#id", ttl = "1m")
	public CompletableFuture<Product> nonBlocking(long id) {
		return pending(id);
	}

	/** {@link #nonBlocking} with a short wait for other nodes. */
	@Collapsed(name = "impatient", key = "#id", ttl = "1m", waitTimeout = "300ms")
	public CompletableFuture<Product> impatient(long id) {
		return pending(id);
	}

	@SuppressWarnings("unchecked")
	private CompletableFuture<Product> pending(long id) {
		try {
			return (CompletableFuture<Product>) this.upstream.load(this.node, id);
		}
		catch (Exception ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/** Loads of {@link #refreshing}, kept apart from the upstream: its refreshes run in the background. */
	static final java.util.concurrent.atomic.AtomicInteger generations = new java.util.concurrent.atomic.AtomicInteger();

	/**
	 * Refreshed early on nearly every hit: its beta is huge (see the tests' properties). Its loads
	 * do not go upstream, so that background refreshes never count in another test's loads.
	 */
	@Collapsed(name = "refreshing", key = "#id", ttl = "1m")
	public Product refreshing(long id) throws Exception {
		Thread.sleep(20);
		return new Product(id, "generation " + generations.incrementAndGet());
	}

	/** Expires fast, so that a test can reach its stale-if-error window (set in the tests' properties). */
	@Collapsed(name = "shortlived", key = "#id", ttl = "300ms", jitter = "0")
	public Product shortLived(long id) throws Exception {
		return (Product) this.upstream.load(this.node, id);
	}

	/** A hot key whose loads go upstream; tests give it a huge beta so that hits refresh it early. */
	@Collapsed(name = "hot", key = "#id", ttl = "1m", jitter = "0")
	public Product hot(long id) throws Exception {
		return (Product) this.upstream.load(this.node, id);
	}

	/** A key that is an array: it must meet a {@code Collapser} key of equal content, on any node. */
	@Collapsed(name = "codes")
	public String code(byte[] bytes) throws Exception {
		return (String) this.upstream.load(this.node, java.util.Arrays.toString(bytes));
	}

	/** Keys of any shape: every argument is part of the key. */
	@Collapsed(name = "texts", ttl = "1m")
	public String text(String a, String b) throws Exception {
		return (String) this.upstream.load(this.node, a + "|" + b);
	}

}
