package dev.workflowkeeper.migration.verify;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.function.Function;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;

/**
 * Reads a whole store into a sorted {@link DigestFile}. Records a reader rejects are left
 * out (they are in the migration's rejects report); {@code expected} maps each entry to
 * its digest, or to {@code null} to leave it out.
 */
public final class StoreDigests {

	/**
	 * Reads and writes NaN and Infinity as Python's json does, and the number text as
	 * written, so that a value compares by what it holds.
	 */
	private static final JsonFactory JSON = JsonFactory.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.build();

	private StoreDigests() {
	}

	public static Path write(WorkflowStore store, Path file, Function<WorkflowEntry, DigestFile.Digest> digest) {
		try (DigestFile.Writer writer = new DigestFile.Writer(file)) {
			int index = 0;
			for (ItemStreamReader<WorkflowEntry> reader : store.readers("verify" + index++)) {
				reader.open(new ExecutionContext());
				try {
					while (true) {
						WorkflowEntry entry;
						try {
							entry = reader.read();
						}
						catch (RejectedRecordException ex) {
							continue;
						}
						if (entry == null) {
							break;
						}
						DigestFile.Digest d = digest.apply(entry);
						if (d != null) {
							writer.add(d);
						}
					}
				}
				catch (RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new IllegalStateException(
							"cannot read " + store.describe() + " for verification: " + ex.getMessage(), ex);
				}
				finally {
					reader.close();
				}
			}
			return writer.finish();
		}
	}

	/**
	 * The bytes a value is compared by: as stored when both stores keep values byte for
	 * byte, else its compact JSON (a snapshot re-serializes what it holds). A value that
	 * is not JSON is compared as it is.
	 */
	public static byte[] comparable(byte[] value, boolean normalize) {
		if (!normalize) {
			return value;
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream(value.length);
		try (JsonParser parser = JSON.createParser(value); JsonGenerator generator = JSON.createGenerator(out)) {
			if (parser.nextToken() == null) {
				return value;
			}
			generator.copyCurrentStructure(parser);
			if (parser.nextToken() != null) {
				return value;
			}
		}
		catch (JacksonException ex) {
			return value;
		}
		return out.toByteArray();
	}

}
