package dev.collapse.actuate;

import java.time.Instant;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.collapse.core.spi.DistributedStatus;

/**
 * Health of collapse's distributed layer (Redis). While Redis answers: {@code UP}. While it does
 * not, calls still work, collapsed in each JVM instead of across the fleet, so the indicator stays
 * {@code UP} and says so in its details ({@code degraded: true}, {@code mode: fallback}, since when,
 * why) rather than taking the application {@code DOWN} or out of a load balancer. A completion
 * subscription found stalled (its socket silent, no {@code PONG}) is shown the same way: still
 * {@code UP} and {@code mode: distributed} (Redis answers, waiters read it meanwhile), with
 * {@code subscription stalled} in the {@code detail} until a new subscription is confirmed.
 *
 * <p>A custom status ({@code DEGRADED}) was not chosen: Boot's default aggregation leaves a code
 * out of {@code management.endpoint.health.status.order} out of the overall status, and every
 * check that expects {@code UP} of this component would have to learn the new code. The details
 * carry the same information without breaking either.
 */
public class DistributedHealthIndicator implements HealthIndicator {

	private final DistributedStatus status;

	public DistributedHealthIndicator(DistributedStatus status) {
		this.status = status;
	}

	@Override
	public Health health() {
		Health.Builder health = Health.up();
		String detail = this.status.detail();
		if (this.status.available()) {
			health.withDetail("mode", "distributed").withDetail("degraded", false);
		}
		else {
			health.withDetail("mode", "fallback").withDetail("degraded", true);
			Instant since = this.status.fallbackSince();
			if (since != null) {
				health.withDetail("since", since.toString());
			}
		}
		if (detail != null) {
			health.withDetail("detail", detail);
		}
		return health.build();
	}

}
