package dev.collapse.sample;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.collapse.sample.RedisServerProcess.Required;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Where redis-server is missing the Redis test is skipped, loudly, and in CI it fails instead. */
class RedisServerProcessTest {

	@Test
	void runsWhereRedisServerIsOnThePath(@TempDir Path bin) throws Exception {
		Files.createFile(bin.resolve("redis-server"), PosixFilePermissions.asFileAttribute(
				PosixFilePermissions.fromString("rwxr-xr-x")));
		String path = "/nonexistent" + File.pathSeparator + bin;
		assertThat(Required.evaluate(Map.of("PATH", path)).isDisabled()).isFalse();
		assertThat(Required.evaluate(Map.of("PATH", path, "CI", "true")).isDisabled()).isFalse();
	}

	@Test
	void skipsWithTheReasonWhereRedisServerIsMissing(@TempDir Path empty) {
		assertThat(Required.evaluate(Map.of("PATH", empty.toString())).getReason())
			.hasValueSatisfying((reason) -> assertThat(reason).contains("REDIS TEST NOT RUN", "apt-get install"));
		assertThat(Required.evaluate(Map.of()).isDisabled()).isTrue();
	}

	@Test
	void failsWhereRedisServerIsMissingButRequired(@TempDir Path empty) {
		assertThatIllegalStateException()
			.isThrownBy(() -> Required.evaluate(Map.of("PATH", empty.toString(), "CI", "true")))
			.withMessageContaining("redis-server is not on the PATH");
		assertThatIllegalStateException()
			.isThrownBy(() -> Required.evaluate(Map.of("PATH", empty.toString(), "COLLAPSE_REQUIRE_REDIS", "true")));
	}

}
