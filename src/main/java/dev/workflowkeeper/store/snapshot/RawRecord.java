package dev.workflowkeeper.store.snapshot;

/**
 * The bytes of one record as a splitter cut them out of the file, before any decoding.
 *
 * @param position where the record starts, as a rejects report shows it
 * @param bytes the record's bytes; only the first {@code maxRecordSize} of an oversized
 * record
 * @param keyEnd for the map format, the length of the leading quoted thread id (closing
 * quote included) when there is one, else -1
 * @param failure why the splitter already knows the record is rejected (truncated,
 * oversized), or {@code null}
 * @param startOffset the record's offset in the uncompressed stream
 * @param unterminated whether the record is the last line of a JSON Lines file and has no
 * newline
 */
record RawRecord(String position, byte[] bytes, int keyEnd, String failure, long startOffset, boolean unterminated) {

}
