package io.rpyc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Exposed;
import io.rpyc.RemoteInvocationException;
import io.rpyc.RemoteRef;
import io.rpyc.RpycConfig;
import io.rpyc.Service;
import io.rpyc.Tuple;
import io.rpyc.server.RpycServer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ServiceAccessIT {
  private final ServerFixture fixture = new ServerFixture();

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private RemoteRef root(RpycConfig serverConfig) {
    RpycServer server = fixture.start(TestService::new, serverConfig);
    return fixture.connect(server).root();
  }

  private static void refused(Executable call, String name) {
    RemoteInvocationException e = assertThrows(RemoteInvocationException.class, call);
    assertEquals("builtins.AttributeError", e.remoteType(), e.getMessage());
    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  @Test
  void exposedMembers_areReachable_withAndWithoutThePrefix() {
    RemoteRef root = root(RpycConfig.defaults());
    assertEquals(3, root.call("add", 1, 2));
    assertEquals(3, root.call("exposed_add", 1, 2));
    assertEquals(7, root.call("legacy"));
    assertEquals(7, root.call("exposed_legacy"));
    assertEquals(9, root.call("snake_case_name"));
    assertEquals(9, root.call("camelCaseName"));
    assertEquals("TEST", root.call("get_service_name"));
    assertEquals(Tuple.of("TEST"), root.call("get_service_aliases"));
  }

  @Test
  void everythingElseOfTheService_isRefused() {
    RemoteRef root = root(RpycConfig.defaults());
    refused(() -> root.call("secret"), "secret");
    refused(() -> root.getAttr("hiddenField"), "hiddenField");
    refused(() -> root.call("onConnect", (Object) null), "onConnect");
    refused(() -> root.call("getClass"), "getClass");
    refused(() -> root.call("hashCode"), "hashCode");
    refused(() -> root.call("wait"), "wait");
    refused(() -> root.setAttr("exposedField", 1), "exposedField");
  }

  @Test
  void returnedObjects_offerTheirPublicMethods_butNoReflection() {
    RemoteRef root = root(RpycConfig.defaults());
    RemoteRef list = (RemoteRef) root.call("list", "a");
    assertEquals(true, list.call("add", "b"));
    assertEquals(2, list.call("size"));
    refused(() -> list.call("getClass"), "getClass");
    refused(() -> list.call("notifyAll"), "notifyAll");
    RemoteRef holder = (RemoteRef) root.call("holder");
    assertEquals(8, holder.call("twice", 4));
    refused(() -> holder.getAttr("value"), "value"); // public fields need allowPublicAttrs
    refused(() -> holder.call("staticHelper"), "staticHelper");
  }

  @Test
  void classesAndReflection_areRefusedEvenWhenAServiceReturnsThem() {
    RemoteRef root = root(RpycConfig.defaults());
    RemoteRef type = (RemoteRef) root.call("someClass");
    refused(() -> type.call("forName", "java.lang.Runtime"), "forName");
    refused(() -> type.call("getClassLoader"), "getClassLoader");
    refused(() -> type.call("getDeclaredMethods"), "getDeclaredMethods");
    refused(() -> type.invoke(), "__call__");
    assertEquals("class java.lang.String", type.toString()); // str() stays harmless
  }

  @Test
  void strictExposure_limitsReturnedObjectsToExposedNames() {
    RemoteRef root = root(RpycConfig.builder().strictExposure(true).build());
    assertEquals(3, root.call("add", 1, 2));
    RemoteRef list = (RemoteRef) root.call("list", "a");
    refused(() -> list.call("size"), "size");
    assertEquals(1, list.length(), "Python's protocol names stay available (allowSafeAttrs)");
  }

  @Test
  void allowPublicAttrs_opensPublicFields_andAllowSetattrAssignsThem() {
    RemoteRef root = root(RpycConfig.builder().allowPublicAttrs(true).allowSetattr(true).build());
    RemoteRef holder = (RemoteRef) root.call("holder");
    assertEquals(1, holder.getAttr("value"));
    holder.setAttr("value", 5);
    assertEquals(5, holder.call("getValue"));
    RemoteInvocationException e =
        assertThrows(RemoteInvocationException.class, () -> holder.setAttr("value", "five"));
    assertEquals("builtins.TypeError", e.remoteType());
    refused(() -> root.setAttr("exposedField", 1), "exposedField"); // services refuse setattr
  }

  @Test
  void allowGetattrOff_refusesEverything() {
    RemoteRef root = root(RpycConfig.builder().allowGetattr(false).build());
    refused(() -> root.call("add", 1, 2), "add");
  }

  @Test
  void restrictedViews_showOnlyTheirNames() {
    RemoteRef root = root(RpycConfig.builder().allowSetattr(true).build());
    RemoteRef view = (RemoteRef) root.call("restrictedHolder");
    assertEquals("holder 1", view.call("describe"));
    assertEquals(1, view.getAttr("value"));
    view.setAttr("value", 3);
    assertEquals("holder 3", view.call("describe"));
    refused(() -> view.call("twice", 2), "twice");
    refused(() -> view.call("close"), "close");
    refused(() -> view.setAttr("closed", true), "closed");
  }

  @Test
  void delattr_isRefused() {
    RemoteRef root = root(RpycConfig.builder().allowDelattr(true).build());
    refused(() -> root.delAttr("exposedField"), "exposedField");
  }

  /** A service with a background job: implementing Runnable must not hand run() to peers. */
  public static class JobService extends Service implements Runnable {
    private final AtomicInteger runs = new AtomicInteger();

    @Exposed
    public int runs() {
      return runs.get();
    }

    @Exposed
    public Object doubler() {
      return new Doubler();
    }

    @Override
    public void run() {
      runs.incrementAndGet();
    }
  }

  /** Of the two functional interfaces it implements, exposes only one. */
  public static class Doubler implements IntUnaryOperator, AutoCloseable {
    @Exposed
    @Override
    public int applyAsInt(int x) {
      return 2 * x;
    }

    @Override
    public void close() {}
  }

  @Test
  void callingAnObjectWhoseClassDeclaresExposure_reachesOnlyItsExposedFunctionalMethod() {
    RpycServer server = fixture.start(JobService::new);
    RemoteRef root = fixture.connect(server).root();
    RemoteInvocationException e = assertThrows(RemoteInvocationException.class, root::invoke);
    assertEquals("builtins.TypeError", e.remoteType(), e.getMessage());
    assertThrows(RemoteInvocationException.class, () -> root.call("__call__"));
    assertEquals(0, root.call("runs"), "run() must not have run");
    RemoteRef doubler = (RemoteRef) root.call("doubler");
    assertEquals(8, doubler.invoke(4));
  }
}
