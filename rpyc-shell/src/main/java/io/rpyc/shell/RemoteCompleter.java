package io.rpyc.shell;

import io.rpyc.Tuple;
import java.util.List;
import java.util.function.BiFunction;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion from the server's jshell: sends the whole input and the cursor, offers what jshell
 * suggests (names of the server's classes, members, variables), matching the expected type first.
 */
final class RemoteCompleter implements Completer {
  private final BiFunction<String, Integer, Tuple> complete;

  /** {@code complete}: jshell's {@code (anchor, suggestions)} for code and cursor, or null. */
  RemoteCompleter(BiFunction<String, Integer, Tuple> complete) {
    this.complete = complete;
  }

  @Override
  public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
    Tuple found = complete.apply(line.line(), line.cursor());
    if (found == null) {
      return;
    }
    int wordStart = line.cursor() - line.word().length();
    int anchor = ((Number) found.get(0)).intValue();
    if (anchor < wordStart || anchor > line.cursor()) {
      return; // a suggestion JLine could not insert in place of the word
    }
    String kept = line.line().substring(wordStart, anchor);
    for (Object s : (Tuple) found.get(1)) {
      String suggestion = (String) s;
      candidates.add(new Candidate(kept + suggestion, suggestion, null, null, null, null, false));
    }
  }
}
