package dev.collapse.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The configuration metadata this module's build generated, as the IDE reads it. */
final class GeneratedMetadata {

	private GeneratedMetadata() {
	}

	/** The META-INF/spring-configuration-metadata.json that declares the collapse group. */
	static JsonNode read() throws IOException {
		ClassLoader loader = GeneratedMetadata.class.getClassLoader();
		for (URL url : Collections.list(loader.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				JsonNode metadata = JsonMapper.builder().build().readTree(in);
				for (JsonNode group : metadata.path("groups")) {
					if (group.path("name").asString().equals("collapse")) {
						return metadata;
					}
				}
			}
		}
		throw new AssertionError("no generated configuration metadata for the collapse group");
	}

}
