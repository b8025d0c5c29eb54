package dev.collapse.aop;

import org.jspecify.annotations.Nullable;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseSettings;

/** Resolves the effective settings of an annotated method's instance. */
@FunctionalInterface
public interface SettingsResolver {

	/**
	 * @param name the instance name
	 * @param annotation the method's annotation, or {@code null} for an instance named only in code
	 * @param origin names the method, for error messages
	 * @throws dev.collapse.core.CollapseConfigurationException naming the bad attribute or property
	 */
	CollapseSettings resolve(String name, @Nullable Collapsed annotation, String origin);

}
