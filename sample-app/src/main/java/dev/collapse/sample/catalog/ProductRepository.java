package dev.collapse.sample.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.collapse.sample.SampleProperties;

/**
 * Reads the catalogue. The single-product and summary queries are slow on purpose: each spends
 * {@code sample.query-delay} inside the database ({@code pg_sleep}, which H2 gets from
 * {@code schema-h2.sql}), holding its pooled connection the whole time, as a real expensive query
 * would. Nothing here knows about collapsing.
 */
@Repository
public class ProductRepository {

	// The delay is a one-row derived table joined to the query, so the same text runs on H2 and
	// PostgreSQL, and the sleep happens once per statement whatever the plan.
	private static final String FIND_BY_ID = """
			SELECT p.id, p.name, p.description, p.price_cents
			FROM sample_products p CROSS JOIN (SELECT pg_sleep(:delay) AS slept) AS delay
			WHERE p.id = :id""";

	private static final String SUMMARY = """
			SELECT COUNT(*) AS products, COALESCE(MIN(p.price_cents), 0) AS cheapest,
			       COALESCE(MAX(p.price_cents), 0) AS dearest, COALESCE(ROUND(AVG(p.price_cents)), 0) AS average
			FROM sample_products p CROSS JOIN (SELECT pg_sleep(:delay) AS slept) AS delay""";

	private static final String FIND_ALL = """
			SELECT p.id, p.name, p.description, p.price_cents FROM sample_products p ORDER BY p.id""";

	private static final String UPDATE = """
			UPDATE sample_products SET name = :name, description = :description, price_cents = :price
			WHERE id = :id""";

	private static final String NAME = "SELECT p.name FROM sample_products p WHERE p.id = :id";

	private final JdbcClient jdbc;

	private final double delaySeconds;

	public ProductRepository(JdbcClient jdbc, SampleProperties properties) {
		this.jdbc = jdbc;
		this.delaySeconds = seconds(properties.queryDelay());
	}

	/** One product, after the configured query delay; every call is one statement. */
	public Optional<Product> findById(long id) {
		return this.jdbc.sql(FIND_BY_ID)
			.param("delay", this.delaySeconds)
			.param("id", id)
			.query(Product.class)
			.optional();
	}

	/** Figures over the catalogue, after the configured query delay. */
	public CatalogueSummary summary() {
		return this.jdbc.sql(SUMMARY)
			.param("delay", this.delaySeconds)
			.query((rs, row) -> new CatalogueSummary(rs.getLong("products"), rs.getLong("cheapest"),
					rs.getLong("dearest"), rs.getLong("average")))
			.single();
	}

	/** Writes {@code change} over product {@code id}; whether it exists. */
	public boolean update(long id, ProductChange change) {
		return this.jdbc.sql(UPDATE)
			.param("name", change.name())
			.param("description", change.description())
			.param("price", change.priceCents())
			.param("id", id)
			.update() > 0;
	}

	/** The product's name, without delay. */
	public Optional<String> nameOf(long id) {
		return this.jdbc.sql(NAME).param("id", id).query(String.class).optional();
	}

	/** The whole catalogue, without delay: the page lists it. */
	public List<Product> findAll() {
		return this.jdbc.sql(FIND_ALL).query(Product.class).list();
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1_000_000_000.0;
	}

}
