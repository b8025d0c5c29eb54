package dev.collapse.core;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.core.RefreshFixtures.ManualTicker;
import dev.collapse.core.RefreshFixtures.RecordingExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The properties of issue 5 ({@code early-refresh.beta}, {@code retry.*}, {@code stale-if-error})
 * reach each instance's settings, per instance over the defaults, and a user's
 * {@link RefreshExecutor} bean runs the refreshes.
 */
class RefreshPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class));

	@Test
	void defaultsAreEarlyRefreshOnNoRetryNoStale() {
		this.runner.run((context) -> {
			CollapseSettings settings = context.getBean(CollapseRegistry.class).instance("any").settings();
			assertThat(settings.earlyRefreshBeta()).isEqualTo(1.0);
			assertThat(settings.retry().maxAttempts()).isEqualTo(1);
			assertThat(settings.retry().baseDelay()).isEqualTo(Duration.ofMillis(100));
			assertThat(settings.retry().maxDelay()).isEqualTo(Duration.ofSeconds(2));
			assertThat(settings.retry().retryOn()).isEmpty();
			assertThat(settings.retry().ignore()).isEmpty();
			assertThat(settings.staleIfError()).isZero();
		});
	}

	@Test
	void instancePropertiesWinOverTheDefaults() {
		this.runner
			.withPropertyValues("collapse.defaults.early-refresh.beta=0.5", "collapse.defaults.retry.max-attempts=2",
					"collapse.instances.prices.early-refresh.beta=2", "collapse.instances.prices.retry.max-attempts=3",
					"collapse.instances.prices.retry.base-delay=50ms", "collapse.instances.prices.retry.max-delay=1s",
					"collapse.instances.prices.retry.retry-on=java.io.IOException",
					"collapse.instances.prices.retry.ignore=java.io.FileNotFoundException",
					"collapse.instances.prices.stale-if-error=5m")
			.run((context) -> {
				CollapseRegistry registry = context.getBean(CollapseRegistry.class);
				CollapseSettings prices = registry.instance("prices").settings();
				assertThat(prices.earlyRefreshBeta()).isEqualTo(2.0);
				assertThat(prices.retry()).isEqualTo(new RetrySettings(3, Duration.ofMillis(50), Duration.ofSeconds(1),
						List.of(IOException.class), List.of(FileNotFoundException.class)));
				assertThat(prices.staleIfError()).isEqualTo(Duration.ofMinutes(5));
				CollapseSettings other = registry.instance("other").settings();
				assertThat(other.earlyRefreshBeta()).isEqualTo(0.5);
				assertThat(other.retry().maxAttempts()).isEqualTo(2);
				assertThat(other.staleIfError()).isZero();
			});
	}

	@Test
	void badValuesNameTheirProperty() {
		this.runner
			.withPropertyValues("collapse.instances.a.early-refresh.beta=-1",
					"collapse.instances.b.retry.base-delay=2s", "collapse.instances.b.retry.max-delay=1s",
					"collapse.instances.c.stale-if-error=-1s", "collapse.instances.d.retry.max-attempts=0")
			.run((context) -> {
				CollapseRegistry registry = context.getBean(CollapseRegistry.class);
				assertThatThrownBy(() -> registry.instance("a")).isInstanceOf(CollapseConfigurationException.class)
					.hasMessageContaining("collapse.instances.a.early-refresh.beta");
				assertThatThrownBy(() -> registry.instance("b")).isInstanceOf(CollapseConfigurationException.class)
					.hasMessageContaining("collapse.instances.b.retry.max-delay");
				assertThatThrownBy(() -> registry.instance("c")).isInstanceOf(CollapseConfigurationException.class)
					.hasMessageContaining("collapse.instances.c.stale-if-error");
				assertThatThrownBy(() -> registry.instance("d")).isInstanceOf(CollapseConfigurationException.class)
					.hasMessageContaining("collapse.instances.d.retry.max-attempts");
			});
	}

	@Test
	void userRefreshExecutorRunsTheRefreshes() {
		ManualTicker ticker = new ManualTicker();
		RecordingExecutor refreshes = new RecordingExecutor();
		this.runner.withBean(LocalStore.class, () -> new LocalStore(100, ticker))
			.withBean(RefreshExecutor.class, () -> RefreshExecutor.of(refreshes))
			.withPropertyValues("collapse.instances.prices.ttl=1m",
					// 1e9·Δ ≫ the 1 s left before expiry: every read rolls
					"collapse.instances.prices.early-refresh.beta=1e9")
			.run((context) -> {
				Collapser collapser = context.getBean(Collapser.class);
				collapser.collapse("prices", "k", () -> {
					ticker.advance(Duration.ofMillis(200));
					return "v1";
				});
				ticker.advance(Duration.ofSeconds(59));
				assertThat(collapser.collapse("prices", "k", () -> "v2")).isEqualTo("v1");
				assertThat(refreshes.runAll()).isEqualTo(1);
				assertThat(collapser.collapse("prices", "k", () -> "v3")).isEqualTo("v2");
			});
	}

}
