package dev.collapse.actuate;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CollapseEndpointTest {

	@Test
	void keyTextMatchesTheStringTheNumberAsLongAndIntegerAndAUuid() {
		assertThat(CollapseEndpoint.keyForms("abc")).containsExactly("abc");
		assertThat(CollapseEndpoint.keyForms("4711")).containsExactly("4711", 4711L, 4711);
		assertThat(CollapseEndpoint.keyForms("9999999999")).containsExactly("9999999999", 9999999999L);
		UUID id = UUID.randomUUID();
		assertThat(CollapseEndpoint.keyForms(id.toString())).containsExactly(id.toString(), id);
	}

}
