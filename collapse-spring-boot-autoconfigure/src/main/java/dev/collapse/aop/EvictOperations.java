package dev.collapse.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

import dev.collapse.annotation.CollapseEvict;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.Collapser;

/**
 * Resolves the {@code @CollapseEvict}s of each method once (instances, keys, timing) and keeps
 * the result. Keys are built by the same {@link KeyFunctions} as {@code @Collapsed} keys, so that
 * equal values reach the same entry.
 */
public final class EvictOperations {

	/** Empty when the method has no {@code @CollapseEvict} for that class. */
	private final Map<MethodClassKey, Optional<EvictOperation>> operations = new ConcurrentHashMap<>();

	private final Collapser collapser;

	private final KeyFunctions keys;

	public EvictOperations(Collapser collapser, ClassLoader classLoader) {
		this.collapser = collapser;
		this.keys = new KeyFunctions(classLoader);
	}

	/** The operation of {@code method} called on an instance of {@code targetClass}, or {@code null}. */
	@Nullable EvictOperation get(Method method, Class<?> targetClass) {
		MethodClassKey key = new MethodClassKey(method, targetClass);
		Optional<EvictOperation> known = this.operations.get(key);
		if (known == null) {
			known = this.operations.computeIfAbsent(key, (k) -> Optional.ofNullable(resolve(method, targetClass)));
		}
		return known.orElse(null);
	}

	/**
	 * Resolves {@code method} now, at startup, so that a bad annotation stops the application.
	 * @throws CollapseConfigurationException naming the method and attribute
	 */
	public void validate(Method method, Class<?> targetClass) {
		get(method, targetClass);
	}

	/** The {@code @CollapseEvict}s on {@code method}, repeated or not, in declaration order. */
	static Set<CollapseEvict> annotations(Method method) {
		return AnnotatedElementUtils.findMergedRepeatableAnnotations(method, CollapseEvict.class);
	}

	private @Nullable EvictOperation resolve(Method method, Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		Method specific = AopUtils.getMostSpecificMethod(method, userClass);
		Set<CollapseEvict> annotations = annotations(specific);
		if (annotations.isEmpty()) {
			return null;
		}
		String origin = CollapsedOperations.describe("@CollapseEvict", userClass, specific);
		int modifiers = specific.getModifiers();
		if (Modifier.isStatic(modifiers) || Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers)) {
			throw new CollapseConfigurationException(origin,
					"a static, private or final method cannot be intercepted by a Spring proxy; make it public and non-final");
		}
		List<Eviction> evictions = new ArrayList<>(annotations.size());
		for (CollapseEvict annotation : annotations) {
			evictions.add(eviction(annotation, specific, userClass, origin));
		}
		return new EvictOperation(this.collapser, evictions, EvictTiming.of(specific, origin));
	}

	private Eviction eviction(CollapseEvict annotation, Method method, Class<?> userClass, String origin) {
		String name = annotation.name().trim();
		if (name.isEmpty()) {
			throw new CollapseConfigurationException(origin + " attribute name",
					"name is empty; give the name of the @Collapsed instance whose entries go");
		}
		String where = origin + " name = \"" + name + "\"";
		if (annotation.allEntries()) {
			if (!annotation.key().isBlank()) {
				throw new CollapseConfigurationException(where + " key",
						"allEntries = true evicts every entry, so it takes no key; remove key = \""
								+ annotation.key() + "\" or allEntries");
			}
			return new Eviction(name, null, annotation.beforeInvocation(), where);
		}
		KeyFunction key = this.keys.create(method, userClass, annotation.key(), where + " key");
		return new Eviction(name, key, annotation.beforeInvocation(), where);
	}

}
