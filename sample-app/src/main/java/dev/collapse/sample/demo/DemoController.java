package dev.collapse.sample.demo;

import java.util.Locale;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.collapse.sample.SampleProperties;

/**
 * Runs the demos over HTTP: JSON for the page, a plain-text table for a terminal
 * ({@code curl -X POST -H 'Accept: text/plain' localhost:8080/demo/herd}). The last run of each
 * demo can be read back, which the page polls, so that a run started with curl shows there too.
 */
@RestController
@RequestMapping("/demo")
class DemoController {

	private final HerdDemo demo;

	private final SampleProperties.Demo settings;

	DemoController(HerdDemo demo, SampleProperties properties) {
		this.demo = demo;
		this.settings = properties.demo();
	}

	@PostMapping(path = "/herd", produces = MediaType.APPLICATION_JSON_VALUE)
	HerdReport herd(@RequestParam(required = false) Integer requests, @RequestParam(required = false) Long product,
			@RequestParam(defaultValue = "both") String runs, @RequestParam(defaultValue = "true") boolean evict)
			throws InterruptedException {
		return this.demo.products(checked(requests, this.settings.requests()),
				(product != null) ? product : this.settings.productId(), runs(runs), evict);
	}

	@PostMapping(path = "/herd", produces = MediaType.TEXT_PLAIN_VALUE)
	String herdTable(@RequestParam(required = false) Integer requests, @RequestParam(required = false) Long product,
			@RequestParam(defaultValue = "both") String runs, @RequestParam(defaultValue = "true") boolean evict)
			throws InterruptedException {
		return herd(requests, product, runs, evict).table();
	}

	/** The last product herd, however it was started; 204 before the first. */
	@GetMapping(path = "/herd/latest", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<HerdReport> latestHerd() {
		return this.demo.latestProducts().map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.noContent().build());
	}

	/** The last token herd, however it was started; 204 before the first. */
	@GetMapping(path = "/token-herd/latest", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<HerdReport> latestTokenHerd() {
		return this.demo.latestTokens().map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.noContent().build());
	}

	@PostMapping(path = "/token-herd", produces = MediaType.APPLICATION_JSON_VALUE)
	HerdReport tokenHerd(@RequestParam(required = false) Integer callers) throws InterruptedException {
		return this.demo.tokens(checked(callers, 50));
	}

	@PostMapping(path = "/token-herd", produces = MediaType.TEXT_PLAIN_VALUE)
	String tokenHerdTable(@RequestParam(required = false) Integer callers) throws InterruptedException {
		return tokenHerd(callers).table();
	}

	private static HerdDemo.Runs runs(String runs) {
		try {
			return HerdDemo.Runs.valueOf(runs.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("runs must be both, off or on");
		}
	}

	private int checked(Integer requested, int fallback) {
		int requests = (requested != null) ? requested : fallback;
		if (requests < 1 || requests > this.settings.maxRequests()) {
			throw new IllegalArgumentException(
					"requests must be between 1 and " + this.settings.maxRequests() + " (sample.demo.max-requests)");
		}
		return requests;
	}

	@ExceptionHandler
	ProblemDetail badRequest(IllegalArgumentException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail busy(HerdDemo.DemoBusyException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail unknownProduct(HerdDemo.UnknownProductException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
	}

}
