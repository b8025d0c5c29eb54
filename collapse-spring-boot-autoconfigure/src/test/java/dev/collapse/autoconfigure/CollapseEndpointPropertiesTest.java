package dev.collapse.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint's options live under {@code management.endpoint.collapse.*}, where Boot keeps its
 * own endpoints' options; the former {@code collapse.endpoint.*} names are declared removed in the
 * metadata, so that IDEs and spring-boot-properties-migrator name the replacement.
 */
class CollapseEndpointPropertiesTest {

	private static final String OLD_PREFIX = "collapse.endpoint.";

	private static final String NEW_PREFIX = "management.endpoint.collapse.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CollapseAutoConfiguration.class, CollapseEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=collapse");

	@Test
	void optionsBindUnderManagementEndpointCollapse() {
		this.runner
			.withPropertyValues(NEW_PREFIX + "show-keys=true", NEW_PREFIX + "herds=3", NEW_PREFIX + "herd-window=5m")
			.run((context) -> {
				CollapseEndpointProperties properties = context.getBean(CollapseEndpointProperties.class);
				assertThat(properties.isShowKeys()).isTrue();
				assertThat(properties.getHerds()).isEqualTo(3);
				assertThat(properties.getHerdWindow()).isEqualTo(Duration.ofMinutes(5));
			});
	}

	@Test
	void formerNamesAreDeclaredRemovedWithTheirReplacement() throws IOException {
		Map<String, JsonNode> properties = new TreeMap<>();
		for (JsonNode property : collapseMetadata().get("properties")) {
			properties.put(property.get("name").asString(), property);
		}
		for (String option : new String[] { "show-keys", "herds", "herd-window" }) {
			assertThat(properties).as("metadata").containsKey(NEW_PREFIX + option);
			JsonNode former = properties.get(OLD_PREFIX + option);
			assertThat(former).as(OLD_PREFIX + option).isNotNull();
			JsonNode deprecation = former.get("deprecation");
			assertThat(deprecation).as("deprecation of " + OLD_PREFIX + option).isNotNull();
			assertThat(deprecation.get("level").asString()).isEqualTo("error");
			assertThat(deprecation.get("replacement").asString()).isEqualTo(NEW_PREFIX + option);
			assertThat(former.get("type").asString()).isEqualTo(properties.get(NEW_PREFIX + option).get("type").asString());
		}
	}

	/** The metadata the configuration processor wrote for this module, additional entries merged in. */
	private JsonNode collapseMetadata() throws IOException {
		for (URL url : Collections
			.list(getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				JsonNode metadata = JsonMapper.builder().build().readTree(in);
				for (JsonNode group : metadata.path("groups")) {
					if (group.path("name").asString().equals(NEW_PREFIX.substring(0, NEW_PREFIX.length() - 1))) {
						return metadata;
					}
				}
			}
		}
		throw new AssertionError("no generated configuration metadata for the collapse endpoint");
	}

}
