package dev.collapse.sample.demo;

import java.sql.SQLException;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import dev.collapse.core.Collapser;
import dev.collapse.sample.SampleProperties;
import dev.collapse.sample.catalog.CatalogueService;
import dev.collapse.sample.catalog.ProductRepository;
import dev.collapse.sample.db.ProductQueryCounter;
import dev.collapse.sample.idp.FakeIdentityProvider;
import dev.collapse.sample.idp.IdentityProviderClient;

/**
 * The two herds of the seed, each fired twice in this one application: once through a path
 * without collapsing, once through the {@code @Collapsed} method, right after its entry was
 * dropped as if it had expired.
 *
 * <p>The path without collapsing calls the same code the annotated method wraps (the repository,
 * the identity provider request), which is what the service does with {@code collapse.enabled=false}.
 * One demo runs at a time: the counts are read from the upstream and would mix. The last report
 * of each kind is kept, so that the page shows a run however it was started (its button, curl).
 */
@Component
public class HerdDemo {

	private final CatalogueService catalogue;

	private final ProductRepository repository;

	private final IdentityProviderClient idpClient;

	private final FakeIdentityProvider idp;

	private final Collapser collapser;

	private final ProductQueryCounter queries;

	private final SampleProperties properties;

	private final int connectionPool;

	private final boolean collapseEnabled;

	private final ReentrantLock running = new ReentrantLock();

	/** Demos finished so far; written under {@link #running}, so numbers follow the order of runs. */
	private long finished;

	private final AtomicReference<HerdReport> latestProducts = new AtomicReference<>();

	private final AtomicReference<HerdReport> latestTokens = new AtomicReference<>();

	HerdDemo(CatalogueService catalogue, ProductRepository repository, IdentityProviderClient idpClient,
			FakeIdentityProvider idp, Collapser collapser, ProductQueryCounter queries, SampleProperties properties,
			DataSource dataSource, Environment environment) {
		this.catalogue = catalogue;
		this.repository = repository;
		this.idpClient = idpClient;
		this.idp = idp;
		this.collapser = collapser;
		this.queries = queries;
		this.properties = properties;
		this.connectionPool = maximumPoolSize(dataSource);
		this.collapseEnabled = environment.getProperty("collapse.enabled", Boolean.class, true);
	}

	/**
	 * Fires {@code requests} reads of one product without collapsing, then, right after its entry
	 * was evicted as if it had expired, through {@link CatalogueService#product}.
	 * @param runs which of the two runs to make
	 * @param evict whether to drop the entry before the collapsed run; false lets several
	 * instances fire at one shared entry without dropping each other's fresh result
	 * @throws UnknownProductException if there is no such product
	 * @throws DemoBusyException if another demo is running
	 */
	public HerdReport products(int requests, long productId, Runs runs, boolean evict) throws InterruptedException {
		return exclusively(() -> {
			String name = this.repository.nameOf(productId).orElseThrow(() -> new UnknownProductException(productId));
			Herd herd = herd();
			List<HerdRun> done = new ArrayList<>();
			if (runs != Runs.ON) {
				done.add(herd.fire("collapsing off", requests, () -> this.repository.findById(productId),
						this.queries::count));
			}
			if (runs != Runs.OFF) {
				if (evict) {
					this.collapser.evict(CatalogueService.PRODUCTS, productId);
				}
				done.add(herd.fire("collapsing on", requests, () -> this.catalogue.product(productId),
						this.queries::count));
			}
			HerdReport report = new HerdReport("product " + productId + " (" + name + ")", "database queries",
					requests, this.properties.demo().concurrency(), herd.threads(),
					this.properties.queryDelay().toNanos() / 1e6, this.connectionPool, cpus(), jdk(),
					this.collapseEnabled, done, ++this.finished, Instant.now().toString());
			this.latestProducts.set(report);
			return report;
		});
	}

	/**
	 * Fires {@code callers} token requests without collapsing, then through Spring Security's
	 * OAuth2 client with collapse ({@link IdentityProviderClient#token(String)}), as a principal of
	 * this run that has no token yet: all callers need one at once, as when the last one expired.
	 * @throws DemoBusyException if another demo is running
	 */
	public HerdReport tokens(int callers) throws InterruptedException {
		return exclusively(() -> {
			Herd herd = herd();
			HerdRun off = herd.fire("collapsing off", callers, this.idpClient::requestToken, this.idp::issued);
			String principal = IdentityProviderClient.SERVICE + "-run-" + (this.finished + 1);
			HerdRun on = herd.fire("collapsing on", callers, () -> this.idpClient.token(principal), this.idp::issued);
			HerdReport report = new HerdReport("access token", "tokens issued", callers,
					this.properties.demo().concurrency(), herd.threads(),
					this.properties.idp().issueDelay().toNanos() / 1e6, 0, cpus(), jdk(), this.collapseEnabled,
					List.of(off, on), ++this.finished, Instant.now().toString());
			this.latestTokens.set(report);
			return report;
		});
	}

	/** The last product herd that finished, however it was started; empty before the first. */
	public Optional<HerdReport> latestProducts() {
		return Optional.ofNullable(this.latestProducts.get());
	}

	/** The last token herd that finished, however it was started; empty before the first. */
	public Optional<HerdReport> latestTokens() {
		return Optional.ofNullable(this.latestTokens.get());
	}

	private Herd herd() {
		return new Herd(this.properties.demo().concurrency());
	}

	private HerdReport exclusively(DemoRun run) throws InterruptedException {
		if (!this.running.tryLock()) {
			throw new DemoBusyException();
		}
		try {
			return run.run();
		}
		finally {
			this.running.unlock();
		}
	}

	private static int maximumPoolSize(DataSource dataSource) {
		try {
			return dataSource.isWrapperFor(HikariConfigMXBean.class)
					? dataSource.unwrap(HikariConfigMXBean.class).getMaximumPoolSize() : 0;
		}
		catch (SQLException ex) {
			return 0;
		}
	}

	private static int cpus() {
		return Runtime.getRuntime().availableProcessors();
	}

	private static String jdk() {
		return Runtime.version().toString();
	}

	@FunctionalInterface
	private interface DemoRun {

		HerdReport run() throws InterruptedException;

	}

	/** Which runs of a demo to make. */
	public enum Runs {

		/** Collapsing off, then on. */
		BOTH,

		/** Only the run without collapsing. */
		OFF,

		/** Only the collapsed run. */
		ON

	}

	/** Another demo is running; its counts would mix with this one's. */
	public static class DemoBusyException extends RuntimeException {

		DemoBusyException() {
			super("another demo is running; try again when it is done");
		}

	}

	/** The herd would ask for a product that does not exist. */
	public static class UnknownProductException extends RuntimeException {

		UnknownProductException(long id) {
			super("no product " + id);
		}

	}

}
