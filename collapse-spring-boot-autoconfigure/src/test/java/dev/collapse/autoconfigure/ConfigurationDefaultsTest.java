package dev.collapse.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * One copy of each default: the field initializers of the {@code @ConfigurationProperties}
 * classes. The generated metadata (IDE help), the full reference in docs/configuration.md and
 * the short table of README.md are copies; this test keeps them equal to it.
 */
class ConfigurationDefaultsTest {

	private static final Path REFERENCE = Path.of("../docs/configuration.md");

	private static final Path README = Path.of("../README.md");

	/** A markdown table row: | `property` | default | meaning |. */
	private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]*)\\|.*\\|\\s*$");

	private static final ConversionService CONVERSION = ApplicationConversionService.getSharedInstance();

	/**
	 * Where the library's properties classes live. Other entries of the metadata under the same
	 * names (management.endpoint.collapse.access, written by Boot for every endpoint) are Boot's.
	 */
	private static final String LIBRARY_PROPERTIES_PACKAGE = "dev.collapse.autoconfigure.";

	/** The library's properties in the generated metadata, by name: what users can set. */
	private static Map<String, JsonNode> properties;

	/** Names the metadata lists as deprecated or removed: no doc may still show them. */
	private static List<String> deprecated;

	/** Name to class of each {@code @ConfigurationProperties} root of the library. */
	private static Map<String, Class<?>> roots;

	@BeforeAll
	static void readMetadata() throws Exception {
		JsonNode metadata = GeneratedMetadata.read();
		roots = new TreeMap<>();
		for (JsonNode group : metadata.path("groups")) {
			Class<?> type = ClassUtils.forName(group.path("type").asString(), null);
			if (!group.has("sourceMethod") && type.isAnnotationPresent(ConfigurationProperties.class)
					&& type.getName().startsWith("dev.collapse.")) {
				roots.put(group.path("name").asString(), type);
			}
		}
		properties = new TreeMap<>();
		deprecated = new ArrayList<>();
		for (JsonNode property : metadata.path("properties")) {
			String name = property.path("name").asString();
			if (property.has("deprecation") || property.path("deprecated").asBoolean(false)) {
				deprecated.add(name);
			}
			else if (root(name) != null
					&& property.path("sourceType").asString().startsWith(LIBRARY_PROPERTIES_PACKAGE)) {
				properties.put(name, property);
			}
		}
		assertThat(properties).as("library properties in the metadata")
			.containsKeys("collapse.enabled", "collapse.defaults.ttl", "collapse.defaults.retry.max-delay",
					"collapse.instances", "collapse.redis.lease", "collapse.herd.warn-threshold");
	}

	@Test
	void metadataDefaultOfEveryPropertyIsItsBoundDefault() {
		for (Map.Entry<String, JsonNode> property : properties.entrySet()) {
			String name = property.getKey();
			Object bound = boundDefault(name);
			JsonNode documented = property.getValue().get("defaultValue");
			if (documented == null) {
				assertThat(isEmpty(bound)).as("%s has the default %s, but the metadata shows none", name, bound)
					.isTrue();
			}
			else {
				assertThat(convert(documented.asString(), bound, name)).as("metadata default of %s", name)
					.isEqualTo(bound);
			}
		}
	}

	@Test
	void referenceListsEveryPropertyWithItsDefault() throws IOException {
		Map<String, String> rows = defaultsByRow(REFERENCE);
		assertThat(rows.keySet()).as("properties of %s", REFERENCE).containsAll(properties.keySet());
		for (Map.Entry<String, String> row : rows.entrySet()) {
			String name = row.getKey();
			if (name.startsWith("collapse.instances.<name>.")) {
				// the per-instance form of a collapse.defaults.* row, which has no default of its own
				assertThat(properties).as("%s mirrors a collapse.defaults.* property", name)
					.containsKey(name.replace("collapse.instances.<name>.", "collapse.defaults."));
				assertThat(row.getValue()).as("default of %s: unset", name).isEmpty();
				continue;
			}
			assertThat(properties).as("%s documents %s, which is not a property", REFERENCE, name).containsKey(name);
			assertDocumentedDefault(REFERENCE, name, row.getValue());
		}
	}

	@Test
	void readmeShortTableAgreesWithTheDefaults() throws IOException {
		Map<String, String> rows = defaultsByRow(README);
		int checked = 0;
		for (Map.Entry<String, String> row : rows.entrySet()) {
			if (properties.containsKey(row.getKey())) {
				assertDocumentedDefault(README, row.getKey(), row.getValue());
				checked++;
			}
		}
		// not vacuous: the README keeps a short table of the properties users set first
		assertThat(checked).as("property rows in %s", README).isGreaterThanOrEqualTo(8);
	}

	private static void assertDocumentedDefault(Path file, String name, String cell) {
		Object bound = boundDefault(name);
		if (cell.isEmpty() || cell.equals("(empty)") || cell.equals("(none)")) {
			assertThat(isEmpty(bound)).as("%s shows no default for %s, but it is %s", file, name, bound).isTrue();
			return;
		}
		Matcher literal = Pattern.compile("`([^`]*)`").matcher(cell);
		if (!literal.matches()) {
			fail("%s: the default of %s must be one `literal`, (empty) or blank; was %s", file, name, cell);
		}
		assertThat(convert(literal.group(1), bound, name)).as("%s: default of %s", file, name).isEqualTo(bound);
	}

	/**
	 * The property rows of a markdown file: property name to its default cell, trimmed. Rows of
	 * other tables (meters, for example) are kept too; callers pick the names they know. A row
	 * naming a deprecated property fails at once: the docs still show a name that is gone.
	 */
	private static Map<String, String> defaultsByRow(Path file) throws IOException {
		Map<String, String> rows = new LinkedHashMap<>();
		for (String line : Files.readAllLines(file)) {
			Matcher row = ROW.matcher(line.trim());
			if (row.matches() && (row.group(1).startsWith("collapse.") || row.group(1).startsWith("management."))) {
				String name = row.group(1);
				assertThat(deprecated).as("%s documents %s, which the metadata marks as deprecated", file, name)
					.doesNotContain(name);
				assertThat(rows.put(name, row.group(2).trim())).as("%s lists %s twice", file, name).isNull();
			}
		}
		return rows;
	}

	/** The value of {@code name} in a properties object bound from no configuration at all. */
	private static Object boundDefault(String name) {
		String root = root(name);
		Object fresh = new Binder(new MapConfigurationPropertySource()).bindOrCreate(root, roots.get(root));
		StringBuilder path = new StringBuilder();
		for (String part : name.substring(root.length() + 1).split("\\.")) {
			path.append((path.length() > 0) ? "." : "").append(camelCase(part));
		}
		return new BeanWrapperImpl(fresh).getPropertyValue(path.toString());
	}

	/** The root group {@code name} belongs to (the longest prefix), or null. */
	private static String root(String name) {
		String found = null;
		for (String root : roots.keySet()) {
			if (name.startsWith(root + ".") && (found == null || root.length() > found.length())) {
				found = root;
			}
		}
		return found;
	}

	private static Object convert(String text, Object bound, String name) {
		assertThat(bound).as("%s is documented with a default (%s) but has none", name, text).isNotNull();
		return CONVERSION.convert(text, bound.getClass());
	}

	private static boolean isEmpty(Object value) {
		return value == null || (value instanceof Collection<?> c && c.isEmpty())
				|| (value instanceof Map<?, ?> m && m.isEmpty());
	}

	private static String camelCase(String kebab) {
		StringBuilder camel = new StringBuilder();
		boolean upper = false;
		for (char c : kebab.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

}
