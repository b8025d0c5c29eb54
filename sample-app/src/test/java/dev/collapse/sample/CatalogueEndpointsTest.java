package dev.collapse.sample;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.collapse.core.Collapser;
import dev.collapse.sample.catalog.CatalogueService;
import dev.collapse.sample.catalog.CatalogueSummary;
import dev.collapse.sample.catalog.Product;
import dev.collapse.sample.catalog.ProductChange;

import static org.assertj.core.api.Assertions.assertThat;

/** The product API, its update included, and the actuator, over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class CatalogueEndpointsTest {

	@LocalServerPort
	int port;

	@Autowired
	Collapser collapser;

	SampleHttp http;

	@BeforeEach
	void connect() {
		this.http = new SampleHttp(this.port);
	}

	@Test
	void productIsReadOnceThenServedFromTheEntry() {
		this.collapser.evict(CatalogueService.PRODUCTS, 2L);
		double before = this.http.counter("sample.db.queries");

		HttpResponse<String> first = this.http.get("/api/products/2");
		HttpResponse<String> second = this.http.get("/api/products/2");

		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(SampleHttp.read(first, Product.class))
			.isEqualTo(new Product(2, "Burr grinder", "Flat 64 mm burrs, stepless adjustment", 54900));
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(this.http.counter("sample.db.queries") - before).isEqualTo(1);
	}

	@Test
	void concurrentHttpRequestsForAnExpiredProductShareOneQuery() throws Exception {
		int requests = 40;
		this.collapser.evict(CatalogueService.PRODUCTS, 4L);
		double before = this.http.counter("sample.db.queries");
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService callers = Executors.newFixedThreadPool(requests);
		try {
			List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
			for (int i = 0; i < requests; i++) {
				responses.add(CompletableFuture.supplyAsync(() -> {
					awaitQuietly(start);
					return this.http.get("/api/products/4");
				}, callers));
			}
			start.countDown();
			for (CompletableFuture<HttpResponse<String>> response : responses) {
				HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
				assertThat(answer.statusCode()).isEqualTo(200);
				assertThat(SampleHttp.read(answer, Product.class).name()).isEqualTo("Tamper");
			}
		}
		finally {
			callers.shutdownNow();
		}
		assertThat(this.http.counter("sample.db.queries") - before).isEqualTo(1);
	}

	@Test
	void unknownProductIsNotFound() {
		assertThat(this.http.get("/api/products/999").statusCode()).isEqualTo(404);
	}

	/**
	 * {@code PUT /api/products/{id}}: its {@code @CollapseEvict} drops the stored read after
	 * commit, so the next read queries the database once and serves the new row.
	 */
	@Test
	void aReadAfterAnUpdateServesTheNewRowWithOneQuery() {
		this.collapser.evict(CatalogueService.PRODUCTS, 11L);
		Product original = SampleHttp.read(this.http.get("/api/products/11"), Product.class);
		// the price stays, so that the catalogue's figures other tests read do not change
		ProductChange change = new ProductChange(original.name() + " II", "Updated", original.priceCents());
		try {
			double before = this.http.counter("sample.db.queries");
			assertThat(this.http.get("/api/products/11").body()).as("stored").contains(original.name());
			assertThat(this.http.counter("sample.db.queries") - before).as("served from the entry").isEqualTo(0);

			HttpResponse<String> updated = this.http.put("/api/products/11", change);
			assertThat(updated.statusCode()).isEqualTo(200);

			HttpResponse<String> first = this.http.get("/api/products/11");
			HttpResponse<String> second = this.http.get("/api/products/11");
			assertThat(SampleHttp.read(first, Product.class))
				.isEqualTo(new Product(11, change.name(), change.description(), change.priceCents()));
			assertThat(second.body()).isEqualTo(first.body());
			assertThat(this.http.counter("sample.db.queries") - before).as("one query after the update")
				.isEqualTo(1);
		}
		finally {
			this.http.put("/api/products/11",
					new ProductChange(original.name(), original.description(), original.priceCents()));
		}
	}

	@Test
	void updatingAnUnknownProductIsNotFound() {
		assertThat(this.http.put("/api/products/999", new ProductChange("x", "y", 1)).statusCode()).isEqualTo(404);
	}

	@Test
	void listsTheCatalogue() {
		HttpResponse<String> response = this.http.get("/api/products");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(SampleHttp.read(response, Product[].class)).hasSize(12).extracting(Product::id).startsWith(1L, 2L, 3L);
	}

	@Test
	void summaryComesFromTheAsynchronousCollapsedMethod() {
		this.collapser.evictAll(CatalogueService.SUMMARY);
		HttpResponse<String> response = this.http.get("/api/catalogue/summary");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(SampleHttp.read(response, CatalogueSummary.class))
			.isEqualTo(new CatalogueSummary(12, 990, 129900, 18242));
	}

	@Test
	void healthIsUp() {
		HttpResponse<String> response = this.http.get("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(SampleHttp.tree(response).get("status").asString()).isEqualTo("UP");
		assertThat(SampleHttp.tree(response).get("components").get("db").get("status").asString()).isEqualTo("UP");
	}

	@Test
	void prometheusScrapeIncludesTheDatabaseCounter() {
		HttpResponse<String> response = this.http.get("/actuator/prometheus", "text/plain");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("sample_db_queries_total{", "table=\"sample_products\"");
	}

	@Test
	void pageIsServedAtTheRoot() {
		HttpResponse<String> response = this.http.get("/", "text/html");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("id=\"run-herd\"", "app.js");
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
