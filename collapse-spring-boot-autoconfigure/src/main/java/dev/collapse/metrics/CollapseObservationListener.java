package dev.collapse.metrics;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;
import dev.collapse.core.LoadObservation;

/**
 * Wraps each load in a Micrometer {@link Observation} named {@value #LEADER}, and each follower's
 * wait in one named {@value #FOLLOWER}, so that a trace shows which request loaded and which
 * waited. Key values are low-cardinality only: {@code name} (instance), {@code outcome} (success,
 * error) and {@code result} ({@link CallResult#tag()}, or {@code none} when a follower stopped
 * waiting first). No key and no value is ever attached.
 *
 * <p>The observation names differ from the {@code collapse.*} meters on purpose: Boot's default
 * meter handler turns each observation into a timer of its own name, which must not clash with
 * {@code collapse.loads} or {@code collapse.wait}.
 */
public final class CollapseObservationListener implements CollapseListener {

	/** Observation of a load, on the leader's thread. */
	public static final String LEADER = "collapse.leader";

	/** Observation of a follower's wait for another caller's load. */
	public static final String FOLLOWER = "collapse.follower";

	private final ObservationRegistry registry;

	public CollapseObservationListener(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public InstanceEvents bind(InstanceView instance) {
		return new InstanceObservations(this.registry, instance.name());
	}

	private static final class InstanceObservations implements InstanceEvents {

		private final ObservationRegistry registry;

		private final KeyValue name;

		private final String leaderName;

		private final String followerName;

		InstanceObservations(ObservationRegistry registry, String name) {
			this.registry = registry;
			this.name = KeyValue.of(CollapseMetricsListener.NAME_TAG, name);
			this.leaderName = "collapse load " + name;
			this.followerName = "collapse wait " + name;
		}

		@Override
		public LoadObservation startLoad() {
			return start(LEADER, this.leaderName);
		}

		@Override
		public LoadObservation startWait() {
			return start(FOLLOWER, this.followerName);
		}

		private LoadObservation start(String observationName, String contextualName) {
			if (this.registry.isNoop()) {
				return LoadObservation.NONE;
			}
			Observation observation = Observation.createNotStarted(observationName, this.registry);
			if (observation.isNoop()) {
				// turned off by a predicate, such as Boot's management.observations.enable.collapse=false
				return LoadObservation.NONE;
			}
			observation.contextualName(contextualName).lowCardinalityKeyValue(this.name).start();
			return new MicrometerLoadObservation(observation);
		}

	}

	private static final class MicrometerLoadObservation implements LoadObservation {

		private final Observation observation;

		MicrometerLoadObservation(Observation observation) {
			this.observation = observation;
		}

		@Override
		public Scope openScope() {
			Observation.Scope scope = this.observation.openScope();
			return scope::close;
		}

		@Override
		public void stop(@Nullable CallResult result, @Nullable Throwable failure) {
			this.observation.lowCardinalityKeyValue("outcome", (failure != null) ? "error" : "success");
			this.observation.lowCardinalityKeyValue("result", (result != null) ? result.tag() : "none");
			if (failure != null) {
				this.observation.error(failure);
			}
			this.observation.stop();
		}

	}

}
