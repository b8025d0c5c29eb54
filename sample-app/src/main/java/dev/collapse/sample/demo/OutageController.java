package dev.collapse.sample.demo;

import java.time.Duration;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The outage demo over HTTP: {@code POST /demo/outage?callers=50&durationMs=3000} runs it and
 * returns the upstream's requests per bucket for each run; {@code GET /demo/outage/latest} reads
 * the last report back (204 before the first).
 */
@RestController
@RequestMapping("/demo/outage")
class OutageController {

	private static final int MAX_CALLERS = 500;

	private static final long MIN_DURATION_MS = 500;

	private static final long MAX_DURATION_MS = 10_000;

	private final OutageDemo demo;

	OutageController(OutageDemo demo) {
		this.demo = demo;
	}

	@PostMapping(produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> run(@RequestParam(defaultValue = "50") int callers,
			@RequestParam(defaultValue = "3000") long durationMs) throws InterruptedException {
		if (callers < 1 || callers > MAX_CALLERS) {
			return problem(HttpStatus.BAD_REQUEST, "callers must be between 1 and " + MAX_CALLERS);
		}
		if (durationMs < MIN_DURATION_MS || durationMs > MAX_DURATION_MS) {
			return problem(HttpStatus.BAD_REQUEST,
					"durationMs must be between " + MIN_DURATION_MS + " and " + MAX_DURATION_MS);
		}
		try {
			return ResponseEntity.ok(this.demo.run(callers, Duration.ofMillis(durationMs)));
		}
		catch (HerdDemo.DemoBusyException ex) {
			return problem(HttpStatus.CONFLICT, ex.getMessage());
		}
	}

	@GetMapping(path = "/latest", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<OutageReport> latest() {
		return this.demo.latest().map(ResponseEntity::ok).orElseGet(() -> ResponseEntity.noContent().build());
	}

	private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
		return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
	}

}
