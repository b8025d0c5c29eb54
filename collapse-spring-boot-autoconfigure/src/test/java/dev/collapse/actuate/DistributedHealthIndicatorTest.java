package dev.collapse.actuate;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.collapse.core.spi.DistributedStatus;

import static org.assertj.core.api.Assertions.assertThat;

class DistributedHealthIndicatorTest {

	@Test
	void redisAnsweringIsUpAndNotDegraded() {
		Health health = new DistributedHealthIndicator(new FakeStatus(true, null, "redis://127.0.0.1:7000")).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("mode", "distributed")
			.containsEntry("degraded", false)
			.containsEntry("detail", "redis://127.0.0.1:7000")
			.doesNotContainKey("since");
	}

	@Test
	void redisDownIsDegradedWithDetailsButNeverDown() {
		Instant since = Instant.parse("2026-11-26T10:00:00Z");
		Health health = new DistributedHealthIndicator(new FakeStatus(false, since, "RedisConnectionFailureException"))
			.health();
		assertThat(health.getStatus()).isNotEqualTo(Status.DOWN).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("mode", "fallback")
			.containsEntry("degraded", true)
			.containsEntry("since", "2026-11-26T10:00:00Z")
			.containsEntry("detail", "RedisConnectionFailureException");
	}

	record FakeStatus(boolean available, Instant fallbackSince, String detail) implements DistributedStatus {
	}

}
