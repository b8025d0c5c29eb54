package dev.collapse.redis;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.CompositeKey;
import dev.collapse.core.KeyEncoder;
import dev.collapse.core.NullKey;

/**
 * The faithful text of a key (docs/design.md, Keys): two keys have the same text if and only if
 * they are equal, so that one entry in Redis is never shared by keys that {@code equals} tells
 * apart (a tenant's key never reaches another tenant's entry).
 *
 * <p>Each value is written as a tag, which stands for the kind of value its {@code equals}
 * compares ({@code Long} 1, {@code Integer} 1 and "1" differ), and its content, framed by its
 * length or its count of parts so that no part runs into the next. Values whose equality is
 * defined by their content, whatever their class, are written without it: a list as its elements
 * in order (so {@code List.of(1)} and {@code Arrays.asList(1)} meet), a set as its elements' texts
 * sorted, a map as its entries' texts sorted by key. Arrays compare by content only where
 * {@code Arrays.deepEquals} compares them (a key, a part of a {@link CompositeKey}, an element of
 * an array); inside a record or a collection an array compares by identity and is refused.
 *
 * <p>Anything else is offered to the user's {@link KeyEncoder}s, and written as its class and
 * their text; a value that none handles cannot be encoded ({@link UnencodableKeyException}).
 */
final class KeyEncoding {

	/** The {@code java.time} values written as their ISO text, by the name written before it. */
	private static final Map<Class<?>, String> TIME = Map.ofEntries(Map.entry(Instant.class, "Instant"),
			Map.entry(LocalDate.class, "LocalDate"), Map.entry(LocalTime.class, "LocalTime"),
			Map.entry(LocalDateTime.class, "LocalDateTime"), Map.entry(OffsetDateTime.class, "OffsetDateTime"),
			Map.entry(OffsetTime.class, "OffsetTime"), Map.entry(ZonedDateTime.class, "ZonedDateTime"),
			Map.entry(Duration.class, "Duration"), Map.entry(Period.class, "Period"), Map.entry(Year.class, "Year"),
			Map.entry(YearMonth.class, "YearMonth"), Map.entry(MonthDay.class, "MonthDay"),
			Map.entry(ZoneOffset.class, "ZoneOffset"));

	/** How each record class is encoded, worked out once per class. */
	private static final ClassValue<RecordShape> RECORDS = new ClassValue<>() {

		@Override
		protected RecordShape computeValue(Class<?> type) {
			return RecordShape.of(type);
		}

	};

	private final List<KeyEncoder> encoders;

	KeyEncoding(List<KeyEncoder> encoders) {
		this.encoders = List.copyOf(encoders);
	}

	/** Whether some {@link KeyEncoder} may encode what the fleet cannot encode by itself. */
	boolean hasEncoders() {
		return !this.encoders.isEmpty();
	}

	/**
	 * The text of {@code key}.
	 * @throws UnencodableKeyException if a part of it can be encoded neither by the fleet nor by
	 * an encoder; its message names a class, never a value
	 */
	String encode(Object key) {
		StringBuilder text = new StringBuilder(32);
		append(key, true, text);
		return text.toString();
	}

	/** @param arraysByContent whether {@code part} is compared by {@code Arrays.deepEquals} */
	private void append(@Nullable Object part, boolean arraysByContent, StringBuilder text) {
		if (part == null) {
			text.append('z');
		}
		else if (part == NullKey.INSTANCE) {
			text.append('n');
		}
		else if (part instanceof CompositeKey composite) {
			Object[] parts = composite.parts();
			text.append('c').append(parts.length).append(':');
			for (Object each : parts) {
				append(each, true, text);
			}
		}
		else if (part.getClass().isArray()) {
			appendArray(part, arraysByContent, text);
		}
		else if (!appendValue(part, text)) {
			appendComposed(part, text);
		}
	}

	private void appendArray(Object array, boolean arraysByContent, StringBuilder text) {
		if (!arraysByContent) {
			throw new UnencodableKeyException("an array inside a record, a list, a set or a map, which "
					+ "compares it by identity; use a list");
		}
		int length = Array.getLength(array);
		Class<?> component = array.getClass().getComponentType();
		// 'a' as in earlier versions for primitive arrays; an empty one names its element type,
		// which its elements' tags give otherwise (int[0] and long[0] are not equal)
		text.append(component.isPrimitive() ? 'a' : 'o').append(length).append(':');
		if (length == 0 && component.isPrimitive()) {
			text.append(primitiveTag(component));
		}
		for (int i = 0; i < length; i++) {
			append(Array.get(array, i), true, text);
		}
	}

	/** Writes the value kinds whose text is their content; false for anything else. */
	private static boolean appendValue(Object part, StringBuilder text) {
		if (part instanceof String string) {
			atom('s', string, text);
		}
		else if (part instanceof Long || part instanceof Integer || part instanceof Short || part instanceof Byte
				|| part instanceof Boolean || part instanceof Character || part instanceof Double
				|| part instanceof Float) {
			atom(primitiveTag(part.getClass()), part.toString(), text);
		}
		else if (part instanceof BigInteger) {
			atom('g', part.toString(), text);
		}
		else if (part instanceof BigDecimal) {
			// toString maps each (unscaled value, scale) to its own text, and equals compares the scale
			atom('m', part.toString(), text);
		}
		else if (part instanceof UUID) {
			atom('u', part.toString(), text);
		}
		else if (part instanceof Enum<?> constant) {
			atom('e', constant.getDeclaringClass().getName() + "." + constant.name(), text);
		}
		else if (TIME.containsKey(part.getClass())) {
			atom('h', TIME.get(part.getClass()) + "=" + part, text);
		}
		else if (part instanceof ZoneId zone) {
			// a region (ZoneOffset is in TIME): equal to another ZoneId of the same id
			atom('h', "ZoneId=" + zone.getId(), text);
		}
		else {
			return false;
		}
		return true;
	}

	/** Records, lists, sets and maps by their parts, anything else by an encoder. */
	private void appendComposed(Object part, StringBuilder text) {
		if (part instanceof Record) {
			RecordShape shape = RECORDS.get(part.getClass());
			Method[] accessors = shape.accessors();
			if (accessors == null) {
				appendEncoded(part, shape.refusal(), text);
				return;
			}
			atom('r', part.getClass().getName(), text);
			text.append(accessors.length).append(':');
			for (Method accessor : accessors) {
				append(component(accessor, part), false, text);
			}
		}
		else if (part instanceof List<?> list) {
			text.append('L').append(list.size()).append(':');
			for (Object element : list) {
				append(element, false, text);
			}
		}
		else if (part instanceof Set<?> set) {
			sorted('S', set, text);
		}
		else if (part instanceof Map<?, ?> map && !(part instanceof IdentityHashMap)) {
			List<String> entries = new ArrayList<>(map.size());
			for (Map.Entry<?, ?> entry : map.entrySet()) {
				StringBuilder one = new StringBuilder();
				append(entry.getKey(), false, one);
				append(entry.getValue(), false, one);
				entries.add(one.toString());
			}
			// keys are distinct, so are their texts: sorting the entries sorts them by key
			entries.sort(null);
			text.append('M').append(entries.size()).append(':');
			entries.forEach(text::append);
		}
		else {
			appendEncoded(part, (part instanceof Collection || part instanceof Map)
					? "a collection that is neither a list, a set nor a map by content, so compares by identity"
					: "a class that is not a record: the fleet does not know what its equals compares", text);
		}
	}

	/** Equal sets are equal whatever their order: their elements' texts, sorted. */
	private void sorted(char tag, Collection<?> elements, StringBuilder text) {
		List<String> texts = new ArrayList<>(elements.size());
		for (Object element : elements) {
			StringBuilder one = new StringBuilder();
			append(element, false, one);
			texts.add(one.toString());
		}
		// each text is framed, so the sorted concatenation tells every set apart
		texts.sort(null);
		text.append(tag).append(texts.size()).append(':');
		texts.forEach(text::append);
	}

	private void appendEncoded(Object part, String reason, StringBuilder text) {
		for (KeyEncoder encoder : this.encoders) {
			String encoded;
			try {
				encoded = encoder.encode(part);
			}
			catch (RuntimeException ex) {
				// the user's code: its message may quote the key, so only its class is kept
				throw new UnencodableKeyException("the KeyEncoder " + encoder.getClass().getName() + " failed on a "
						+ part.getClass().getName() + " (" + ex.getClass().getName() + ")");
			}
			if (encoded != null) {
				atom('x', part.getClass().getName() + "=" + encoded, text);
				return;
			}
		}
		throw new UnencodableKeyException(part.getClass().getName() + " is " + reason);
	}

	private static @Nullable Object component(Method accessor, Object record) {
		try {
			return accessor.invoke(record);
		}
		catch (IllegalAccessException | InvocationTargetException ex) {
			throw new UnencodableKeyException("the component " + accessor.getName() + " of "
					+ record.getClass().getName() + " cannot be read (" + ex.getClass().getSimpleName() + ")");
		}
	}

	/**
	 * How a record class is encoded: by its components' accessors, or not at all, for the
	 * {@code refusal} given.
	 */
	record RecordShape(Method @Nullable [] accessors, String refusal) {

		static RecordShape of(Class<?> type) {
			try {
				// javac makes the equals it writes for a record final; one the record declares is not
				if (!Modifier.isFinal(type.getDeclaredMethod("equals", Object.class).getModifiers())) {
					return new RecordShape(null, "a record that declares its own equals, which the fleet cannot follow");
				}
			}
			catch (NoSuchMethodException ex) {
				// compared component by component, as every record is by default
			}
			RecordComponent[] components = type.getRecordComponents();
			Method[] accessors = new Method[components.length];
			for (int i = 0; i < components.length; i++) {
				accessors[i] = components[i].getAccessor();
				try {
					accessors[i].setAccessible(true);
				}
				catch (RuntimeException ex) {
					return new RecordShape(null,
							"a record whose components cannot be read (" + ex.getClass().getSimpleName() + ")");
				}
			}
			return new RecordShape(accessors, "");
		}

	}

	/** Whether values of exactly {@code type} are written as their content (see appendValue). */
	static boolean isValue(Class<?> type) {
		return type == String.class || type == UUID.class || TIME.containsKey(type) || ZoneId.class.isAssignableFrom(type)
				|| BigInteger.class.isAssignableFrom(type) || BigDecimal.class.isAssignableFrom(type)
				|| Enum.class.isAssignableFrom(type) || type.isPrimitive() || primitiveTag(type) != 0;
	}

	/** The tag of a primitive type or of its box; 0 for any other type. */
	private static char primitiveTag(Class<?> type) {
		if (type == long.class || type == Long.class) {
			return 'l';
		}
		if (type == int.class || type == Integer.class) {
			return 'i';
		}
		if (type == short.class || type == Short.class) {
			return 't';
		}
		if (type == byte.class || type == Byte.class) {
			return 'y';
		}
		if (type == boolean.class || type == Boolean.class) {
			return 'b';
		}
		if (type == char.class || type == Character.class) {
			return 'k';
		}
		if (type == double.class || type == Double.class) {
			return 'd';
		}
		if (type == float.class || type == Float.class) {
			return 'f';
		}
		return 0;
	}

	private static void atom(char tag, String content, StringBuilder text) {
		text.append(tag).append(content.length()).append(':').append(content);
	}

}
