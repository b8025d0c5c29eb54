package dev.collapse.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.collapse.core.CollapseConfigurationException;

/** Reports a bad {@code @Collapsed} setting as a short startup report instead of a stack trace. */
class CollapseConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<CollapseConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, CollapseConfigurationException cause) {
		String description = "Invalid collapse setting.\n\n    Where: " + cause.getOrigin() + "\n    Problem: "
				+ cause.getProblem();
		String action = "Fix the setting named above: the @Collapsed attribute, or the collapse.* property that "
				+ "overrides it (collapse.instances.<name>.* wins over the annotation, which wins over collapse.defaults.*).";
		return new FailureAnalysis(description, action, cause);
	}

}
