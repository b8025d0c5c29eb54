package dev.collapse.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.Jitter;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@ExtendWith(OutputCaptureExtension.class)
class HerdWarningListenerTest {

	private static final String KEY = "customer-4711-secret";

	private static final String VALUE = "balance-0815-secret";

	private final AtomicLong nanos = new AtomicLong();

	private final Herds herds = new Herds();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(1000, System::nanoTime),
			(name) -> settings(),
			List.of(new HerdWarningListener(5, Duration.ofMinutes(1), this.nanos::get), this.herds), null);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void herdAboveThresholdIsOneWarnLineWithNameSizeAndLoadTimeButNoKeyAndNoValue(CapturedOutput output)
			throws Exception {
		CollapseInstance accounts = this.registry.register("accounts", settings());
		this.herds.run(accounts, KEY, 12, VALUE, null);

		assertThat(warnings(output)).hasSize(1);
		String line = warnings(output).get(0);
		assertThat(line).contains("WARN", "'accounts'", "12 callers", " ms");
		assertThat(output.getAll()).doesNotContain(KEY).doesNotContain(VALUE).doesNotContain("4711").doesNotContain("0815");
	}

	@Test
	void herdAtOrBelowThresholdIsNotReported(CapturedOutput output) throws Exception {
		CollapseInstance accounts = this.registry.register("accounts", settings());
		this.herds.run(accounts, KEY, 5, VALUE, null);
		assertThat(warnings(output)).isEmpty();
	}

	@Test
	void atMostOneLinePerInstancePerIntervalAndSkippedHerdsAreCountedIntoTheNext(CapturedOutput output)
			throws Exception {
		CollapseInstance accounts = this.registry.register("accounts", settings());
		CollapseInstance orders = this.registry.register("orders", settings());
		this.herds.run(accounts, KEY, 8, VALUE, null);
		this.herds.run(accounts, KEY, 9, VALUE, null);
		this.herds.run(accounts, KEY, 10, VALUE, null);
		this.herds.run(orders, KEY, 7, VALUE, null);
		assertThat(warnings(output)).hasSize(2);
		assertThat(warnings(output).get(0)).contains("'accounts'", "8 callers");
		assertThat(warnings(output).get(1)).contains("'orders'", "7 callers");

		this.nanos.addAndGet(TimeUnit.SECONDS.toNanos(61));
		this.herds.run(accounts, KEY, 11, VALUE, null);
		assertThat(warnings(output)).hasSize(3);
		assertThat(warnings(output).get(2)).contains("'accounts'", "11 callers", "2 more such herds");
	}

	@Test
	void badThresholdOrIntervalIsRejectedWithThePropertyName() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HerdWarningListener(0, Duration.ofMinutes(1)))
			.withMessageContaining("collapse.herd.warn-threshold");
		assertThatIllegalArgumentException().isThrownBy(() -> new HerdWarningListener(10, Duration.ofSeconds(-1)))
			.withMessageContaining("collapse.herd.warn-interval");
	}

	private static List<String> warnings(CapturedOutput output) {
		return output.getAll().lines().filter((line) -> line.contains(HerdWarningListener.class.getSimpleName())).toList();
	}

	private static CollapseSettings settings() {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(10), true, 0, RetrySettings.NONE,
				Duration.ZERO);
	}

}
