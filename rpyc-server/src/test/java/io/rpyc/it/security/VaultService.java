package io.rpyc.it.security;

import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Service;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service the hostile-client suite attacks: a few exposed members returning ordinary objects (a
 * list, a user object, a class, even a reflection object a careless method leaks), and traps —
 * members no peer may reach — that record it when they run.
 */
public class VaultService extends Service implements Runnable {
  /** What reached a trap; must stay empty. */
  public static final Queue<String> BREACHES = new ConcurrentLinkedQueue<>();

  @Exposed public int counter = 1;

  /** Public but not exposed. */
  public String adminToken = "token-" + System.nanoTime();

  private final String vaultKey = "key-" + System.nanoTime();

  @Exposed
  public int add(int a, int b) {
    return a + b;
  }

  @Exposed
  public Object echo(Object value) {
    return value;
  }

  @Exposed
  public List<String> list() {
    return new ArrayList<>(List.of("a", "b", "c"));
  }

  @Exposed
  public Account account() {
    return new Account(Account.LICENSE);
  }

  /** A class object, handed out on purpose: the access rule must keep it inert. */
  @Exposed
  public Class<?> accountType() {
    return Account.class;
  }

  /** A careless method that leaks a reflection object. */
  @Exposed
  public Method leakedMethod() throws NoSuchMethodException {
    return VaultService.class.getMethod("shutdown");
  }

  @Exposed
  public Object callBack(RemoteRef fn, Object x) {
    return fn.invoke(x);
  }

  public void shutdown() {
    BREACHES.add("VaultService.shutdown");
  }

  public static void staticTrap() {
    BREACHES.add("VaultService.staticTrap");
  }

  /** A background job of the service; implementing Runnable must not make the root callable. */
  @Override
  public void run() {
    BREACHES.add("VaultService.run");
  }

  private String secret() {
    BREACHES.add("VaultService.secret");
    return vaultKey;
  }

  public String exposedLooking() {
    BREACHES.add("VaultService.exposedLooking");
    return secret();
  }

  /** A user object: some exposed members, public ones that are not, and a licensed constructor. */
  public static class Account implements AutoCloseable {
    static final Object LICENSE = new Object();

    /** Counts constructor runs a peer caused (the service's own pass the license). */
    public static final AtomicInteger FORGED = new AtomicInteger();

    @Exposed public int balance = 100;
    public String owner = "alice";
    private final String pin = "1234";

    public Account(Object license) {
      if (license != LICENSE) {
        FORGED.incrementAndGet();
        BREACHES.add("Account constructor");
      }
    }

    public Account() {
      this(null);
    }

    @Exposed
    public int deposit(int amount) {
      balance += amount;
      return balance;
    }

    public void withdrawAll() {
      BREACHES.add("Account.withdrawAll");
      balance = 0;
    }

    public static void reset() {
      BREACHES.add("Account.reset");
    }

    public String pin() {
      BREACHES.add("Account.pin");
      return pin;
    }

    /** Not exposed; reachable only through CTXEXIT / __exit__, as documented. */
    @Override
    public void close() {
      closed = true;
    }

    private boolean closed;
  }
}
