package dev.collapse.metrics;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Gives the meters that Micrometer's {@code DefaultMeterObservationHandler} makes of our
 * observations a description, so that Prometheus shows HELP text for them as for every other
 * {@code collapse.*} meter. The handler builds those meters itself from the observation's name and
 * offers no way to describe them; a filter that maps their id is the one place left.
 *
 * <p>The handler makes a timer named after the observation, stopped once per observation, and a
 * long task timer with {@code .active} appended, for the observations running now.
 */
public final class ObservationMeterDescriptions implements MeterFilter {

	private static final Map<String, String> DESCRIPTIONS = Map.of(
			CollapseObservationListener.LEADER, "Loads observed on the leader's thread, all retries included",
			CollapseObservationListener.LEADER + ".active", "Loads observed on a leader's thread running now",
			CollapseObservationListener.FOLLOWER, "Followers' waits observed for a load another caller ran",
			CollapseObservationListener.FOLLOWER + ".active", "Followers waiting now for a load another caller runs");

	@Override
	public Meter.Id map(Meter.Id id) {
		String description = DESCRIPTIONS.get(id.getName());
		if (description == null || id.getDescription() != null) {
			// not ours, or described already (a user's filter ran first): leave it as it is
			return id;
		}
		return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
				id.getType());
	}

}
