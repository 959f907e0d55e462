package io.rpyc.internal.classic;

/**
 * What a classic server's root offers, by name: the contract between {@link
 * DefaultClassicConnection} and the server's {@code io.rpyc.server.classic.ClassicService}. The
 * first five are RPyC's {@code SlaveService} names, which Python classic clients use verbatim.
 */
public final class ClassicProtocol {
  private ClassicProtocol() {}

  /** {@code getmodule(name)}: a class or package handle. */
  public static final String GETMODULE = "getmodule";

  /** {@code eval(code)}: the value of the last snippet. */
  public static final String EVAL = "eval";

  /** {@code execute(code)}. */
  public static final String EXECUTE = "execute";

  /** The {@code namespace} attribute: a map of the jshell variables. */
  public static final String NAMESPACE = "namespace";

  /** {@code getconn()}: the server's side of the connection. */
  public static final String GETCONN = "getconn";

  /** {@code redirectStdio(out, err)}: objects with {@code write(String)} and {@code flush()}. */
  public static final String REDIRECT_STDIO = "redirectStdio";

  /**
   * {@code restoreStdio(out)}: ends the redirection to {@code out}, if it is still the current one.
   */
  public static final String RESTORE_STDIO = "restoreStdio";

  /** {@code evalCaptured(code)}: a {@linkplain #CAPTURED captured} tuple. */
  public static final String EVAL_CAPTURED = "evalCaptured";

  /** {@code teleport(classSource, spec)}: the rebuilt code. */
  public static final String TELEPORT = "teleport";

  /**
   * {@code shellEval(code)}: a tuple with one {@code (kind, name, type, value, action)} per
   * snippet.
   */
  public static final String SHELL_EVAL = "shellEval";

  /** {@code stop()}: stops the connection's running snippet; whether one was running. */
  public static final String STOP = "stop";

  /** {@code completeness(code)}: jshell's {@code Completeness} name for the source. */
  public static final String COMPLETENESS = "completeness";

  /** {@code complete(code, cursor)}: {@code (anchor, (suggestion, ...))}. */
  public static final String COMPLETE = "complete";

  /** {@code imports()}: the import declarations, as source. */
  public static final String IMPORTS = "imports";

  /** {@code variables()}: {@code ((type, name, value as text), ...)}. */
  public static final String VARIABLES = "variables";

  /** {@code callCaptured(classSource, spec)}: a {@linkplain #CAPTURED captured} tuple. */
  public static final String CALL_CAPTURED = "callCaptured";

  /**
   * The shape of a captured result: {@code (value, stdout, stderr, error)}, where {@code error} is
   * {@code None} or {@code (type, message, traceback, javaClass, javaHierarchy)}.
   */
  public static final String CAPTURED = "(value, stdout, stderr, error)";

  /** {@code fileInfo(path)}: {@code ("file", size)} or {@code ("directory", 0)}. */
  public static final String FILE_INFO = "fileInfo";

  /** {@code listDirectory(path)}: a tuple of names. */
  public static final String LIST_DIRECTORY = "listDirectory";

  /** {@code makeDirectories(path)}. */
  public static final String MAKE_DIRECTORIES = "makeDirectories";

  /** {@code openForWriting(path)}: an object with {@code write(bytes)} and {@code close()}. */
  public static final String OPEN_FOR_WRITING = "openForWriting";

  /**
   * {@code openForReading(path)}: an object with {@code read(max)} (empty at the end), {@code
   * close()}.
   */
  public static final String OPEN_FOR_READING = "openForReading";

  /** Teleport spec kinds: {@code (LAMBDA, capturingClass, ...SerializedLambda fields, args)}. */
  public static final String LAMBDA = "lambda";

  /** {@code (OBJECT, className, ((declaringClass, field, value), ...))}. */
  public static final String OBJECT = "object";

  /** {@code (CLASS, className)}. */
  public static final String CLASS = "class";

  /** The client's class-file source: {@code classBytes(binaryName)} → bytes or {@code None}. */
  public static final String CLASS_BYTES = "classBytes";

  /** Chunk size of file transfers. */
  public static final int CHUNK = 1 << 20;
}
