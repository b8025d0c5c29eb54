package dev.collapse.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;

/**
 * Resolves each annotated method once (instance name, settings, key, return adapter) and keeps
 * the result, so that a call costs one map lookup before the core takes over.
 */
public final class CollapsedOperations {

	/**
	 * Operations by method, then by target class: almost every method is called on one class
	 * only, so a call costs one map lookup and one reference comparison, with no key allocated.
	 */
	private final Map<Method, ByClass> operations = new ConcurrentHashMap<>();

	/**
	 * Method that took each default name first, by name. Two methods never share entries under a
	 * name neither of them chose: classes of the same simple name in two packages, or overloads.
	 */
	private final Map<String, String> defaultNames = new ConcurrentHashMap<>();

	private final CollapseRegistry registry;

	private final SettingsResolver settings;

	private final KeyFunctions keys;

	public CollapsedOperations(CollapseRegistry registry, SettingsResolver settings, ClassLoader classLoader) {
		this.registry = registry;
		this.settings = settings;
		this.keys = new KeyFunctions(classLoader);
	}

	/** The operation of {@code method} called on an instance of {@code targetClass}, or {@code null}. */
	@Nullable CollapsedOperation get(Method method, Class<?> targetClass) {
		for (ByClass known = this.operations.get(method); known != null; known = known.next) {
			if (known.type == targetClass) {
				return known.operation;
			}
		}
		ByClass updated = this.operations.compute(method, (m, head) -> {
			for (ByClass known = head; known != null; known = known.next) {
				if (known.type == targetClass) {
					return head;
				}
			}
			return new ByClass(targetClass, resolve(method, targetClass), head);
		});
		return updated.find(targetClass);
	}

	/**
	 * Resolves {@code method} now: called at startup for every annotated method of every bean,
	 * so that a bad annotation stops the application instead of its first call.
	 * @return the instance of the method, or {@code null} if it is not annotated
	 * @throws CollapseConfigurationException naming the method and attribute
	 */
	public @Nullable CollapseInstance validate(Method method, Class<?> targetClass) {
		CollapsedOperation operation = get(method, targetClass);
		return (operation != null) ? operation.instance() : null;
	}

	/** The operation of an annotated method; {@code null} when {@code method} is not annotated. */
	private @Nullable CollapsedOperation resolve(Method method, Class<?> targetClass) {
		Class<?> userClass = ClassUtils.getUserClass(targetClass);
		Method specific = AopUtils.getMostSpecificMethod(method, userClass);
		Collapsed annotation = AnnotatedElementUtils.findMergedAnnotation(specific, Collapsed.class);
		if (annotation == null) {
			return null;
		}
		String origin = describe("@Collapsed", userClass, specific);
		int modifiers = specific.getModifiers();
		if (Modifier.isStatic(modifiers) || Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers)) {
			throw new CollapseConfigurationException(origin,
					"a static, private or final method cannot be intercepted by a Spring proxy; make it public and non-final");
		}
		String name = annotation.name().isEmpty() ? userClass.getSimpleName() + "." + specific.getName()
				: annotation.name();
		if (annotation.name().isEmpty()) {
			String first = this.defaultNames.putIfAbsent(name, origin);
			if (first != null && !first.equals(origin)) {
				throw new CollapseConfigurationException(origin, "its default name '" + name
						+ "' is also the default name of " + first + ", so both would share entries; set name on one of them");
			}
		}
		ReturnAdapter adapter = ReturnAdapter.of(specific, origin);
		KeyFunction key = this.keys.create(specific, userClass, annotation.key(), origin + " key");
		CollapseSettings resolved = this.settings.resolve(name, annotation, origin);
		CollapseInstance instance;
		try {
			instance = this.registry.register(name, resolved, ReturnAdapter.valueType(specific, userClass));
		}
		catch (IllegalStateException | IllegalArgumentException ex) {
			throw new CollapseConfigurationException(origin, ex.getMessage());
		}
		checkFleetKey(instance, specific, annotation.key(), origin + " key");
		return new CollapsedOperation(instance, key, adapter);
	}

	/**
	 * Refuses a key whose declared type the fleet can never encode faithfully: its calls would all
	 * be collapsed in their JVM only (docs/design.md, Keys).
	 */
	private void checkFleetKey(CollapseInstance instance, Method method, String expression, String origin) {
		for (Map.Entry<String, Type> part : this.keys.declaredTypes(method, expression).entrySet()) {
			String problem = this.registry.unsupportedFleetKey(instance, part.getValue());
			if (problem != null) {
				throw new CollapseConfigurationException(origin, part.getKey() + " cannot be shared with the fleet "
						+ "through Redis: " + problem + ". Give the key attribute an expression that yields strings, "
						+ "numbers, booleans, enums, UUIDs, java.time values, records or collections of these (such as "
						+ "key = \"#order.id\" or key = \"{#order.tenant, #order.id}\"), or declare a "
						+ "dev.collapse.core.KeyEncoder bean (docs/usage.md, Keys)");
			}
		}
	}

	/**
	 * An immutable list of the operations of one method, one per target class; a class whose
	 * method is not annotated is listed too, with no operation, so that it is resolved once.
	 */
	private static final class ByClass {

		final Class<?> type;

		/** {@code null} when the method is not annotated for {@link #type}. */
		final @Nullable CollapsedOperation operation;

		final @Nullable ByClass next;

		ByClass(Class<?> type, @Nullable CollapsedOperation operation, @Nullable ByClass next) {
			this.type = type;
			this.operation = operation;
			this.next = next;
		}

		@Nullable CollapsedOperation find(Class<?> targetClass) {
			for (ByClass known = this; known != null; known = known.next) {
				if (known.type == targetClass) {
					return known.operation;
				}
			}
			throw new IllegalStateException("no operation for " + targetClass);
		}

	}

	/**
	 * {@code @Collapsed on ProductService.find(Long)}: how error messages name a method.
	 * @param annotation the annotation that brought the method here, such as {@code @Collapsed}
	 */
	static String describe(String annotation, Class<?> type, Method method) {
		StringBuilder text = new StringBuilder(annotation).append(" on ").append(type.getName()).append('.')
			.append(method.getName()).append('(');
		Class<?>[] parameters = method.getParameterTypes();
		for (int i = 0; i < parameters.length; i++) {
			text.append((i > 0) ? ", " : "").append(parameters[i].getSimpleName());
		}
		return text.append(')').toString();
	}

}
