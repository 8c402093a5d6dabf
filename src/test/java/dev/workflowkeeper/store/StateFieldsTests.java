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
		assertThat(StateFields.readLeading(utf8("{\"status\": \"done\", \"n\": 1}")))
			.isEqualTo(new StateFields("done", StateFields.UNKNOWN));
		assertThat(StateFields.readLeading(utf8("{\"status\": \"done\", \"n\": }"))).isNull();
		assertThat(StateFields.readLeading(utf8("[1]"))).isNull();
	}

	@Test
	void shouldParseTimestampsWithAndWithoutOffsetAsPythonWritesThem() {
		long utc = Instant.parse("2026-11-25T16:00:00Z").toEpochMilli();
		assertThat(StateFields.parseTimestamp("2026-11-25T16:00:00")).isEqualTo(utc);
		assertThat(StateFields.parseTimestamp("2026-11-25 16:00:00.000000")).isEqualTo(utc);
		assertThat(StateFields.parseTimestamp("2026-11-25T16:00:00Z")).isEqualTo(utc);
		assertThat(StateFields.parseTimestamp("2026-11-25T17:00:00+01:00")).isEqualTo(utc);
		assertThat(StateFields.parseTimestamp("2026-11-25T15:00:00-01:00")).isEqualTo(utc);
		assertThat(StateFields.parseTimestamp("tomorrow")).isEqualTo(StateFields.UNKNOWN);
		assertThat(StateFields.parseTimestamp("2026-11-25")).isEqualTo(StateFields.UNKNOWN);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
