package io.rpyc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceTest {
  static class CalcService extends Service {}

  static class Calculator extends Service {}

  static class Service2 extends Service {}

  @ServiceAliases({"calc", "Calculator"})
  static class Aliased extends Service {}

  @Test
  void name_isTheClassNameUpperCased_withoutATrailingService() {
    assertEquals(List.of("CALC"), Service.aliasesOf(CalcService.class));
    assertEquals(List.of("CALCULATOR"), Service.aliasesOf(Calculator.class));
    assertEquals(List.of("SERVICE2"), Service.aliasesOf(Service2.class));
  }

  @Test
  void aliases_comeFromTheAnnotation_upperCased() {
    assertEquals(List.of("CALC", "CALCULATOR"), Service.aliasesOf(Aliased.class));
    assertEquals("CALC", new Aliased().getServiceName());
    assertEquals(Tuple.of("CALC", "CALCULATOR"), new Aliased().getServiceAliases());
  }
}
