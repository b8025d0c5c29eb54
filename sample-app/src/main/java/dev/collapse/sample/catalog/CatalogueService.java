package dev.collapse.sample.catalog;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

import dev.collapse.annotation.Collapsed;

/**
 * The catalogue as the web layer sees it. The two slow reads are collapsed: however many
 * requests ask for product 7 at once, one query runs and they all get its row. ttl and jitter are
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

	/** The whole catalogue; cheap, so not collapsed. */
	public List<Product> products() {
		return this.repository.findAll();
	}

}
