package io.rpyc.it.python;

import io.rpyc.Exposed;
import io.rpyc.RemoteRef;
import io.rpyc.Service;
import io.rpyc.ServiceAliases;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JVM service Python clients drive: Java names, exposed_ names and snake_case aliases. */
@ServiceAliases({"CALC", "CALCULATOR"})
public class InteropService extends Service {
  public InteropService() {}

  @Exposed
  public int add(int a, int b) {
    return a + b;
  }

  public String exposed_greet(String name) {
    return "hello " + name;
  }

  @Exposed("get_answer")
  public int answer() {
    return 42;
  }

  @Exposed
  public Object echo(Object value) {
    return value;
  }

  @Exposed("type_of")
  public String typeOf(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  @Exposed("call_back")
  public Object callBack(RemoteRef fn, Object argument) {
    return fn.invoke(argument);
  }

  @Exposed
  public List<Integer> squares(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(i * i);
    }
    return out;
  }

  @Exposed
  public Map<String, Integer> ages() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("ann", 31);
    m.put("bob", 42);
    return m;
  }

  @Exposed
  public void fail(String message) {
    throw new IllegalStateException(message);
  }

  public int secret() {
    return 7;
  }
}
