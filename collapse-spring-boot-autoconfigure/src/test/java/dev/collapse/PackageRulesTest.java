package dev.collapse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which package may use which, read from the main source tree so that a new file cannot break the
 * rule unnoticed. {@code aop} turns annotated methods into calls of {@code core}; nothing below it
 * ({@code core}, and {@code redis}, {@code metrics} and {@code actuate}, which plug into
 * {@code core}) may depend on it. {@code core} is plain Java: it names no Spring, Micrometer,
 * Lettuce or Jackson type, so that it can be read, tested and reused without them.
 */
class PackageRulesTest {

	private static final Path SOURCES = Path.of("src/main/java/dev/collapse");

	@Test
	void corePluginsAndEndpointUseNothingOfAop() throws IOException {
		for (String below : List.of("core", "redis", "metrics", "actuate", "oauth2", "schedule")) {
			assertThat(references(below, "dev.collapse.aop")).as("files of %s that use aop", below).isEmpty();
		}
	}

	@Test
	void coreUsesNoFramework() throws IOException {
		for (String framework : List.of("org.springframework", "io.micrometer", "io.lettuce", "tools.jackson")) {
			assertThat(references("core", framework)).as("files of core that use %s", framework).isEmpty();
		}
	}

	@Test
	void theRulesReadTheRealSourceTree() throws IOException {
		// a wrong path would make every rule above pass on no files at all
		assertThat(references("autoconfigure", "dev.collapse.aop")).isNotEmpty();
		assertThat(references("redis", "tools.jackson")).isNotEmpty();
	}

	/**
	 * Each line of the files of {@code pkg} that names {@code otherPackage}: an import, a static
	 * import or a fully qualified name, in code or in a Javadoc link.
	 */
	private static List<String> references(String pkg, String otherPackage) throws IOException {
		Pattern name = Pattern.compile("(?<![\\w.])" + Pattern.quote(otherPackage) + "\\.");
		List<String> found = new ArrayList<>();
		try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".java")).toList()) {
				List<String> lines = Files.readAllLines(file);
				for (int i = 0; i < lines.size(); i++) {
					Matcher matcher = name.matcher(lines.get(i));
					if (matcher.find()) {
						found.add(SOURCES.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
					}
				}
			}
		}
		return found;
	}

}
