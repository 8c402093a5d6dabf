package dev.workflowkeeper.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StateFieldsTests {

	@Test
	void shouldStopReadingOnceBothFieldsAreFoundWhenOnlyTheLeadingFieldsMatter() {
		// given a state whose tail is malformed
		byte[] value = utf8("{\"status\": \"running\", \"updated_at\": \"2026-11-25T16:00:00Z\", \"rest\": [1, }");

		// when
		StateFields leading = StateFields.readLeading(value);
		StateFields strict = StateFields.read(value);

		// then
		assertThat(leading).isEqualTo(new StateFields("running", Instant.parse("2026-11-25T16:00:00Z").toEpochMilli()));
		assertThat(strict).isNull();
	}

	@Test
	void shouldReadToTheEndWhenAFieldIsMissing() {
		assertThat(StateFields.readLeading(utf8("{\"status\": \"done\", \"n\": 1}"))).isEqualTo(new StateFields("done", StateFields.UNKNOWN));
		assertThat(StateFields.readLeading(utf8("{\"status\": \"done\", \"n\": }"))).isNull();
		assertThat(StateFields.readLeading(utf8("[1]"))).isNull();
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
