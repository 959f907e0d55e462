package io.rpyc.internal.protocol;

/**
 * RPyC 5.3's request handler codes ({@code rpyc/core/consts.py}) and the rpyc-java extension's. The
 * Java meaning of each is in {@code docs/protocol.md}.
 */
public final class Handlers {
  public static final int PING = 1;
  public static final int CLOSE = 2;
  public static final int GETROOT = 3;
  public static final int GETATTR = 4;
  public static final int DELATTR = 5;
  public static final int SETATTR = 6;
  public static final int CALL = 7;
  public static final int CALLATTR = 8;
  public static final int REPR = 9;
  public static final int STR = 10;
  public static final int CMP = 11;
  public static final int HASH = 12;
  public static final int DIR = 13;
  public static final int PICKLE = 14;
  public static final int DEL = 15;
  public static final int INSPECT = 16;
  public static final int BUFFITER = 17;
  public static final int OLDSLICING = 18;
  public static final int CTXEXIT = 19;
  public static final int INSTANCECHECK = 20;

  /**
   * rpyc-java's negotiation request ({@code 0x4A56}, "JV"): far outside RPyC's range, so a Python
   * peer answers it with an exception reply and the connection continues in plain RPyC 5.3.
   */
  public static final int JAVA_HELLO = 0x4A56;

  /**
   * rpyc-java: call a method by its exact signature: {@code (obj, name, paramTypeNames, args,
   * flags)}; flag 1 marks the single abstract method of a functional interface. Array results come
   * back as tuples.
   */
  public static final int JAVA_CALLSIG = 0x4A57;

  /** rpyc-java: the public interfaces of an object's class, as names: {@code (obj)}. */
  public static final int JAVA_TYPEINFO = 0x4A58;

  /** rpyc-java: a by-value copy of a collection, map or array: {@code (obj)}. */
  public static final int JAVA_OBTAIN = 0x4A59;

  private static final String[] NAMES = {
    "?", "PING", "CLOSE", "GETROOT", "GETATTR", "DELATTR", "SETATTR", "CALL", "CALLATTR", "REPR",
    "STR", "CMP", "HASH", "DIR", "PICKLE", "DEL", "INSPECT", "BUFFITER", "OLDSLICING", "CTXEXIT",
    "INSTANCECHECK"
  };

  private Handlers() {}

  /** The handler's name, e.g. {@code CALLATTR}. */
  public static String name(int code) {
    switch (code) {
      case JAVA_HELLO:
        return "JAVA_HELLO";
      case JAVA_CALLSIG:
        return "JAVA_CALLSIG";
      case JAVA_TYPEINFO:
        return "JAVA_TYPEINFO";
      case JAVA_OBTAIN:
        return "JAVA_OBTAIN";
      default:
        break;
    }
    return code > 0 && code < NAMES.length ? NAMES[code] : "handler " + code;
  }
}
