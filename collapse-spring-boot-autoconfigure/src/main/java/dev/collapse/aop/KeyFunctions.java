package dev.collapse.aop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

import dev.collapse.core.CollapseConfigurationException;
import dev.collapse.core.Keys;

/**
 * Builds the {@link KeyFunction} of a method once, at startup. Keys of the form {@code #param},
 * {@code #p0}, {@code #a0} and {@code #param.property} read the argument (and call its getter)
 * directly; any other expression goes through SpEL, compiled once it has run a few times.
 */
final class KeyFunctions {

	private static final Pattern PARAMETER_PATH = Pattern
		.compile("#([A-Za-z_$][A-Za-z0-9_$]*)(?:\\.([A-Za-z_$][A-Za-z0-9_$]*))?");

	private static final Pattern INDEXED = Pattern.compile("[pa](\\d+)");

	private final SpelExpressionParser parser;

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	KeyFunctions(ClassLoader classLoader) {
		this.parser = new SpelExpressionParser(new SpelParserConfiguration(SpelCompilerMode.MIXED, classLoader));
	}

	/**
	 * @param origin names the method and attribute, for error messages
	 * @throws CollapseConfigurationException if the expression cannot work for this method
	 */
	KeyFunction create(Method method, Class<?> targetClass, String expression, String origin) {
		String text = expression.trim();
		if (text.isEmpty()) {
			return (target, args) -> Keys.ofArguments(args);
		}
		Matcher path = PARAMETER_PATH.matcher(text);
		if (path.matches() && !isSpelVariable(path.group(1))) {
			int index = parameterIndex(method, path.group(1), origin);
			if (path.group(2) == null) {
				return (target, args) -> {
					// as SpEL would: a null argument is allowed in a key, but is not a key
					if (args[index] == null) {
						throw new CollapseKeyException(origin + ": key '" + text + "' evaluated to null");
					}
					return Keys.normalize(args[index]);
				};
			}
			MethodHandle getter = getter(method.getParameterTypes()[index], path.group(2));
			if (getter != null) {
				return propertyOf(index, getter, text, origin);
			}
		}
		return spel(method, targetClass, text, origin);
	}

	/**
	 * Every {@code #variable} of a parsed expression must be a parameter (or {@code #root},
	 * {@code #this}): SpEL would read a misspelt one as {@code null} and fail every call instead.
	 */
	private void checkVariables(SpelNode node, Method method, String origin) {
		if (node instanceof VariableReference) {
			String name = node.toStringAST().substring(1);
			if (!isSpelVariable(name)) {
				parameterIndex(method, name, origin);
			}
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			checkVariables(node.getChild(i), method, origin);
		}
	}

	/**
	 * The declared types of the key that {@code expression} makes for {@code method}, by what they
	 * are: every parameter for the default key, the parameter or its property for {@code #param}
	 * and {@code #param.property}. Empty for any other expression: its type is known only when it
	 * runs. Call it after {@link #create} accepted the expression.
	 */
	Map<String, Type> declaredTypes(Method method, String expression) {
		String text = expression.trim();
		Type[] parameters = method.getGenericParameterTypes();
		Map<String, Type> types = new LinkedHashMap<>();
		if (text.isEmpty()) {
			String[] names = this.parameterNames.getParameterNames(method);
			for (int i = 0; i < parameters.length; i++) {
				types.put("argument " + ((names != null) ? "'" + names[i] + "'" : i) + " of the default key (all arguments)",
						parameters[i]);
			}
			return types;
		}
		Matcher path = PARAMETER_PATH.matcher(text);
		if (path.matches() && !isSpelVariable(path.group(1))) {
			int index = parameterIndex(method, path.group(1), text);
			if (path.group(2) == null) {
				types.put("the key '" + text + "'", parameters[index]);
			}
			else {
				Method getter = getterMethod(method.getParameterTypes()[index], path.group(2));
				if (getter != null) {
					types.put("the key '" + text + "'", getter.getGenericReturnType());
				}
			}
		}
		return types;
	}

	private static boolean isSpelVariable(String name) {
		return name.equals("root") || name.equals("this");
	}

	private int parameterIndex(Method method, String name, String origin) {
		String[] names = this.parameterNames.getParameterNames(method);
		if (names != null) {
			int index = Arrays.asList(names).indexOf(name);
			if (index >= 0) {
				return index;
			}
		}
		Matcher indexed = INDEXED.matcher(name);
		if (indexed.matches()) {
			int index = Integer.parseInt(indexed.group(1));
			if (index < method.getParameterCount()) {
				return index;
			}
			throw new CollapseConfigurationException(origin,
					"'#" + name + "' refers to argument " + index + " but the method has "
							+ method.getParameterCount() + " parameter(s)");
		}
		String known = (names != null) ? String.join(", ", names)
				: "unknown: compile with -parameters, or use #p0, #p1...";
		throw new CollapseConfigurationException(origin,
				"the method has no parameter named '" + name + "' (parameters: " + known + ")");
	}

	/**
	 * A public no-argument getter {@code getX()}, {@code isX()} or record accessor {@code x()};
	 * {@code null} when there is none, and the expression is left to SpEL.
	 */
	private static @Nullable MethodHandle getter(Class<?> type, String property) {
		Method method = getterMethod(type, property);
		if (method == null) {
			return null;
		}
		try {
			return MethodHandles.publicLookup().unreflect(method).asType(MethodType.methodType(Object.class, Object.class));
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

	private static @Nullable Method getterMethod(Class<?> type, String property) {
		if (!Modifier.isPublic(type.getModifiers())) {
			return null;
		}
		String capitalized = property.substring(0, 1).toUpperCase(Locale.ROOT) + property.substring(1);
		for (String candidate : new String[] { "get" + capitalized, "is" + capitalized, property }) {
			try {
				Method method = type.getMethod(candidate);
				if (method.getReturnType() == void.class || Modifier.isStatic(method.getModifiers())
						|| !Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
					continue;
				}
				return method;
			}
			catch (NoSuchMethodException ex) {
				// try the next naming convention
			}
		}
		return null;
	}

	private static KeyFunction propertyOf(int index, MethodHandle getter, String text, String origin) {
		return (target, args) -> {
			Object argument = args[index];
			if (argument == null) {
				throw new CollapseKeyException(origin + ": key '" + text + "' reads a property of a null argument");
			}
			Object value;
			try {
				value = (Object) getter.invokeExact(argument);
			}
			catch (RuntimeException | Error ex) {
				throw ex;
			}
			catch (Throwable ex) {
				throw new CollapseKeyException(origin + ": key '" + text + "' failed", ex);
			}
			if (value == null) {
				throw new CollapseKeyException(origin + ": key '" + text + "' evaluated to null");
			}
			return Keys.normalize(value);
		};
	}

	private KeyFunction spel(Method method, Class<?> targetClass, String text, String origin) {
		Expression expression;
		try {
			expression = this.parser.parseExpression(text);
		}
		catch (ParseException ex) {
			throw new CollapseConfigurationException(origin, "'" + text + "' is not a valid SpEL expression: "
					+ ex.getSimpleMessage(), ex);
		}
		checkVariables(((SpelExpression) expression).getAST(), method, origin);
		ParameterNameDiscoverer names = this.parameterNames;
		return (target, args) -> {
			KeyRoot root = new KeyRoot(method, args, target, targetClass);
			MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(root, method, args, names);
			Object value;
			try {
				value = expression.getValue(context);
			}
			catch (EvaluationException ex) {
				throw new CollapseKeyException(origin + ": key '" + text + "' failed: " + ex.getMessage(), ex);
			}
			if (value == null) {
				throw new CollapseKeyException(origin + ": key '" + text + "' evaluated to null");
			}
			return Keys.normalize(value);
		};
	}

}
