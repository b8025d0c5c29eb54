package dev.collapse.core;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.collapse.core.spi.DistributedLayer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the public types of {@code core} and {@code core.spi}: every public type is a promise to
 * users, so adding one (or making an internal part public) must be a deliberate change of the
 * lists below, reviewed as such.
 */
class PublicSurfaceTest {

	@Test
	void corePublishesOnlyTheApiTheListenerTypesTheSettingsTheKeysAndWhatAutoconfigureBuilds() throws Exception {
		assertThat(publicTypes(CollapseRegistry.class)).containsExactlyInAnyOrder(
				// the programmatic API and what a caller of it can get
				"Collapser", "CallResult", "CollapseException", "CollapseConfigurationException",
				"CollapseInterruptedException", "CollapseRecursionException", "CollapseTimeoutException",
				"CollapseRemoteLoadException",
				// what the aop package drives: an instance and the loads it runs
				"CollapseInstance", "Loader", "AsyncLoader", "ContextLoader",
				// custom listeners
				"CollapseListener", "InstanceView", "InstanceEvents", "LoadObservation", "LoadObservation$Scope",
				"RefreshTrigger",
				// settings
				"CollapseSettings", "RetrySettings", "Jitter",
				// keys, shared by the annotation, Collapser and Redis; how users write theirs for Redis
				"Keys", "CompositeKey", "NullKey", "KeyEncoder",
				// what auto-configuration constructs
				"CollapseRegistry", "LocalStore", "RefreshExecutor", "CollapseExecutor", "PassThroughCollapser");
	}

	@Test
	void spiHoldsWhatTheFleetLayerImplements() throws Exception {
		assertThat(publicTypes(DistributedLayer.class)).containsExactlyInAnyOrder("DistributedLayer",
				"DistributedCoordinator", "DistributedCoordinator$Changes", "DistributedCoordinator$Outcome", "DistributedStatus",
				"DistributedUnavailableException");
	}

	/** Public types of {@code anchor}'s package, nested ones included, read from its compiled classes. */
	private static Set<String> publicTypes(Class<?> anchor) throws IOException, URISyntaxException {
		Path directory = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI())
			.resolve(anchor.getPackageName().replace('.', '/'));
		Set<String> names = new TreeSet<>();
		try (Stream<Path> files = Files.list(directory)) {
			for (Path file : files.toList()) {
				String simple = file.getFileName().toString();
				if (!simple.endsWith(".class") || simple.equals("package-info.class")) {
					continue;
				}
				String binary = simple.substring(0, simple.length() - ".class".length());
				Class<?> type = loadWithoutInitializing(anchor.getPackageName() + "." + binary);
				if (isVisible(type)) {
					names.add(binary);
				}
			}
		}
		assertThat(names).as("public types of " + anchor.getPackageName()).isNotEmpty();
		return names;
	}

	/** Public, and, when nested, inside a public type: reachable from another package. */
	private static boolean isVisible(Class<?> type) {
		for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
			if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
				return false;
			}
		}
		return true;
	}

	private static Class<?> loadWithoutInitializing(String name) {
		try {
			return Class.forName(name, false, PublicSurfaceTest.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
