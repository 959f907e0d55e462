package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Connection;
import io.rpyc.Rpyc;
import io.rpyc.internal.proxy.ByteBuddyProxies;
import io.rpyc.server.RpycServer;
import io.rpyc.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyClassCacheIT {
  private final ServerFixture fixture = new ServerFixture();
  private Connection conn;
  private Calculator calc;

  @BeforeEach
  void start() {
    RpycServer server = fixture.start(TypedService::new);
    conn = fixture.connect(server);
    calc = conn.root(Calculator.class);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aSecondProxyOfASeenTypeSet_generatesNoBytecode() {
    Runnable first = calc.task();
    int generated = ByteBuddyProxies.INSTANCE.generatedClasses();
    Runnable second = calc.task();
    assertNotSame(first, second, "two remote lambdas");
    assertSame(first.getClass(), second.getClass());
    assertEquals(generated, ByteBuddyProxies.INSTANCE.generatedClasses());
  }

  /** Loads io.rpyc.it.leak.Probe itself instead of asking its parent. */
  private static final class ChildFirstLoader extends ClassLoader {
    ChildFirstLoader(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.equals("io.rpyc.it.leak.Probe")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = getParent().getResourceAsStream("io/rpyc/it/leak/Probe.class")) {
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return loaded;
      }
    }
  }

  @Test
  void aDiscardedClassLoader_isCollectable() throws Exception {
    WeakReference<ClassLoader> loader = useProbeFromAThrowAwayLoader();
    Await.until(
        Duration.ofSeconds(30),
        () -> loader.get() == null,
        System::gc,
        "the loader to be collected");
  }

  private WeakReference<ClassLoader> useProbeFromAThrowAwayLoader() throws Exception {
    ClassLoader loader = new ChildFirstLoader(getClass().getClassLoader());
    Class<?> probe = loader.loadClass("io.rpyc.it.leak.Probe");
    // a fresh remote calculator, not the root (which the connection keeps for its lifetime)
    Object proxy = Rpyc.ref(calc.another()).as(probe);
    assertTrue(probe.isInstance(proxy));
    assertEquals(3, probe.getMethod("add", int.class, int.class).invoke(proxy, 1, 2));
    return new WeakReference<>(loader);
  }
}
