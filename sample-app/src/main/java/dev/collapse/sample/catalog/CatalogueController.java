package dev.collapse.sample.catalog;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api")
class CatalogueController {

	private final CatalogueService catalogue;

	CatalogueController(CatalogueService catalogue) {
		this.catalogue = catalogue;
	}

	@GetMapping("/products")
	List<Product> products() {
		return this.catalogue.products();
	}

	@GetMapping("/products/{id}")
	ResponseEntity<Product> product(@PathVariable long id) {
		return ResponseEntity.of(this.catalogue.product(id));
	}

	@PutMapping("/products/{id}")
	ResponseEntity<Product> update(@PathVariable long id, @RequestBody ProductChange change) {
		return ResponseEntity.of(this.catalogue.update(id, change));
	}

	@GetMapping("/catalogue/summary")
	CompletableFuture<CatalogueSummary> summary() {
		return this.catalogue.summary();
	}

}
