package dev.cooperllm.model.data;

import java.nio.file.Path;

/** A dataset file that cannot be read as {@code text,label[,domain]}; the message names file and line. */
public class DatasetFormatException extends RuntimeException {
    private final Path file;
    private final long line;

    public DatasetFormatException(Path file, long line, String message) {
        super(file + ":" + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() { return file; }

    /** 1-based physical line where the bad record starts. */
    public long line() { return line; }
}
