package dev.collapse.sample.catalog;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.annotation.Collapsed;

/**
 * The catalogue as the web layer sees it. The two slow reads are collapsed: however many
 * requests ask for product 7 at once, one query runs and they all get its row. The update evicts
 * what the read stored, once its transaction has committed. ttl and jitter are
 * in {@code application.yml} under {@code collapse.instances.<name>}, so that operators tune them
 * without a build.
 */
@Service
public class CatalogueService {

	/** Instance name of {@link #product}: metric tag, yml key and eviction handle. */
	public static final String PRODUCTS = "products";

	/** Instance name of {@link #summary}. */
	public static final String SUMMARY = "catalogue-summary";

	private final ProductRepository repository;

	private final Executor executor;

	public CatalogueService(ProductRepository repository,
			@Qualifier("applicationTaskExecutor") Executor executor) {
		this.repository = repository;
		this.executor = executor;
	}

	/** One product, or empty; an unknown id is cached like a known one (cache-nulls). */
	@Collapsed(name = PRODUCTS, key = "#id")
	public Optional<Product> product(long id) {
		return this.repository.findById(id);
	}

	/**
	 * Figures over the catalogue, computed off the calling thread. Callers that arrive while it is
	 * computed share its future; none of them blocks a thread while it waits.
	 */
	@Collapsed(name = SUMMARY)
	public CompletableFuture<CatalogueSummary> summary() {
		return CompletableFuture.supplyAsync(this.repository::summary, this.executor);
	}

	/**
	 * Writes {@code change} over product {@code id}. Its stored read goes after commit, so that a
	 * request served between this method's return and the commit cannot store the old row again;
	 * the summary's figures change with the price, so it goes too.
	 * @return the product as written, or empty when there is none
	 */
	@Transactional
	@CollapseEvict(name = PRODUCTS, key = "#id")
	@CollapseEvict(name = SUMMARY, allEntries = true)
	public Optional<Product> update(long id, ProductChange change) {
		if (!this.repository.update(id, change)) {
			return Optional.empty();
		}
		return Optional.of(new Product(id, change.name(), change.description(), change.priceCents()));
	}

	/** The whole catalogue; cheap, so not collapsed. */
	public List<Product> products() {
		return this.repository.findAll();
	}

}
