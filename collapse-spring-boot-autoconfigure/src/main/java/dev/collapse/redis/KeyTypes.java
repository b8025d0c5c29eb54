package dev.collapse.redis;

import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

import dev.collapse.core.CompositeKey;
import dev.collapse.core.NullKey;

/**
 * What a key's declared type tells before any call (docs/design.md, Keys): whether none of its
 * values can be encoded by {@link KeyEncoding}, so that the method is refused at startup rather
 * than collapsed in each JVM on every call. A type that some encodable value may have (an
 * interface, {@code Object}, a list of {@code Object}) passes: its keys are checked per call.
 */
final class KeyTypes {

	/** Resolves the type arguments of collections, maps and generic records. */
	private static final TypeFactory TYPES = TypeFactory.createDefaultInstance();

	private KeyTypes() {
	}

	/** Why no value of {@code type} can be encoded without a {@code KeyEncoder}, or {@code null}. */
	static @Nullable String unencodable(Type type) {
		return check(TYPES.constructType(type), true, new HashSet<>());
	}

	/**
	 * @param arraysByContent whether an array here is compared by content, as in KeyEncoding
	 * @param records the records being checked, so that one that contains itself ends
	 */
	private static @Nullable String check(JavaType type, boolean arraysByContent, Set<Class<?>> records) {
		Class<?> raw = type.getRawClass();
		if (raw.isArray()) {
			return arraysByContent ? check(type.getContentType(), true, records)
					: "an array inside a record, a list, a set or a map, which compares it by identity; use a list";
		}
		if (KeyEncoding.isValue(raw) || raw == CompositeKey.class || raw == NullKey.class) {
			return null;
		}
		if (raw.isRecord()) {
			return checkRecord(type, records);
		}
		if (Map.class.isAssignableFrom(raw)) {
			if (IdentityHashMap.class.isAssignableFrom(raw)) {
				return raw.getName() + " compares its keys by identity";
			}
			String key = check(type.getKeyType(), false, records);
			return (key != null) ? key : check(type.getContentType(), false, records);
		}
		if (Collection.class.isAssignableFrom(raw)) {
			if (isConcrete(raw) && !List.class.isAssignableFrom(raw) && !Set.class.isAssignableFrom(raw)) {
				return raw.getName() + " is a collection that is neither a list nor a set, so compares by identity";
			}
			return check(type.getContentType(), false, records);
		}
		if (!isConcrete(raw) && (raw.isInterface() || raw == Number.class || raw == Record.class || raw == Enum.class)
				|| raw == Object.class) {
			// a record, an enum or a number may be one
			return null;
		}
		// no subclass of a plain class is a record, an enum or a value
		return raw.getName() + " is a class that is not a record: the fleet does not know what its equals compares";
	}

	private static @Nullable String checkRecord(JavaType type, Set<Class<?>> records) {
		Class<?> raw = type.getRawClass();
		KeyEncoding.RecordShape shape = KeyEncoding.RecordShape.of(raw);
		if (shape.accessors() == null) {
			return raw.getName() + " is " + shape.refusal();
		}
		if (!records.add(raw)) {
			return null;
		}
		for (RecordComponent component : raw.getRecordComponents()) {
			JavaType componentType = TYPES.resolveMemberType(component.getGenericType(), type.getBindings());
			String problem = check(componentType, false, records);
			if (problem != null) {
				return problem + " (component " + component.getName() + " of " + raw.getName() + ")";
			}
		}
		return null;
	}

	private static boolean isConcrete(Class<?> type) {
		return !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
	}

}
