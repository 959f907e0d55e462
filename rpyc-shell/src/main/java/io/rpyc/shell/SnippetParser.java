package io.rpyc.shell;

import java.util.List;
import java.util.function.UnaryOperator;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * Splits the shell's input the way Java needs: when a line is entered, asks the server's jshell
 * whether the snippet is complete and, if it is not ({@code for (int i = 0; i < 3; i++) {}), has
 * JLine read another line; for completion, the word is the Java identifier before the cursor.
 * Commands ({@code /vars}) are always complete.
 */
final class SnippetParser implements Parser {
  private final UnaryOperator<String> completeness;

  /** {@code completeness}: jshell's verdict on the code, or {@code null} when unknown. */
  SnippetParser(UnaryOperator<String> completeness) {
    this.completeness = completeness;
  }

  /** Whether the input is a shell command rather than Java ({@code //} and {@code /*} are Java). */
  static boolean isCommand(String input) {
    return input.startsWith("/") && !input.startsWith("//") && !input.startsWith("/*");
  }

  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    if (context == ParseContext.ACCEPT_LINE) {
      String input = line.strip();
      if (!input.isEmpty() && !isCommand(input)) {
        String verdict = completeness.apply(line);
        if ("DEFINITELY_INCOMPLETE".equals(verdict) || "CONSIDERED_INCOMPLETE".equals(verdict)) {
          throw new EOFError(-1, -1, "the snippet is not complete");
        }
      }
    }
    return new Word(line, cursor);
  }

  /** The whole input as the line, the identifier before the cursor as the word. */
  private static final class Word implements CompletingParsedLine {
    private final String line;
    private final int cursor;
    private final String word;

    Word(String line, int cursor) {
      this.line = line;
      this.cursor = cursor;
      int start = cursor;
      while (start > 0 && Character.isJavaIdentifierPart(line.charAt(start - 1))) {
        start--;
      }
      this.word = line.substring(start, cursor);
    }

    @Override
    public String word() {
      return word;
    }

    @Override
    public int wordCursor() {
      return word.length();
    }

    @Override
    public int wordIndex() {
      return 0;
    }

    @Override
    public List<String> words() {
      return List.of(word);
    }

    @Override
    public String line() {
      return line;
    }

    @Override
    public int cursor() {
      return cursor;
    }

    @Override
    public CharSequence escape(CharSequence candidate, boolean complete) {
      return candidate; // Java names need no escaping
    }

    @Override
    public int rawWordCursor() {
      return word.length();
    }

    @Override
    public int rawWordLength() {
      return word.length();
    }
  }
}
