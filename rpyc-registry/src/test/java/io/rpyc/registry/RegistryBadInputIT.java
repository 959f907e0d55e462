package io.rpyc.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rpyc.Endpoint;
import io.rpyc.Registrar;
import io.rpyc.Rpyc;
import io.rpyc.ServiceNotFoundException;
import io.rpyc.Tuple;
import io.rpyc.internal.registry.Registration;
import io.rpyc.internal.registry.RegistrationRequest;
import io.rpyc.internal.registry.RegistryBackends;
import io.rpyc.internal.registry.RegistryMessages;
import io.rpyc.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Garbage, truncated and oversized requests: never answered, never fatal to the registry. */
class RegistryBadInputIT {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final byte[] QUERY_CALC = RegistryMessages.query("calc");

  private RegistryServer udp;
  private RegistryServer tcp;

  @BeforeEach
  void startRegistries() {
    udp = RegistryServer.builder().host("127.0.0.1").port(0).build().start();
    tcp =
        RegistryServer.builder()
            .mode(RegistryServer.Mode.TCP)
            .host("127.0.0.1")
            .port(0)
            .requestTimeout(Duration.ofMillis(300))
            .build()
            .start();
  }

  @AfterEach
  void stopRegistries() {
    udp.close();
    tcp.close();
  }

  /** Requests that are not valid registry requests, in every way we could think of. */
  private static List<byte[]> badRequests() {
    List<byte[]> bad = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < 20; i++) {
      byte[] garbage = new byte[1 + random.nextInt(200)];
      random.nextBytes(garbage);
      garbage[0] = 0x12; // looks like the start of a request, to get past the first check
      bad.add(garbage);
    }
    for (int n = 1; n < QUERY_CALC.length; n++) {
      bad.add(Arrays.copyOf(QUERY_CALC, n)); // every truncation
    }
    bad.add(new byte[] {(byte) 0xff});
    bad.add(new byte[] {0x12, 0x0f, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // huge length
    bad.add(new byte[] {0x15, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // huge tuple
    byte[] deep = new byte[200];
    Arrays.fill(deep, (byte) 0x10); // tuples nested 200 deep
    bad.add(deep);
    bad.add(RegistryMessages.encode(Tuple.of("RPYX", "QUERY", Tuple.of("calc"))));
    bad.add(RegistryMessages.encode(Tuple.of("RPYC", "SHUTDOWN", Tuple.of())));
    bad.add(RegistryMessages.encode(Tuple.of("RPYC", "REGISTER", Tuple.of("CALC", 1))));
    bad.add(RegistryMessages.encode(Tuple.of("RPYC", "QUERY", Tuple.of(Tuple.of("calc")))));
    bad.add(oversizedRegister());
    return bad;
  }

  /** A valid REGISTER of "EVIL", padded with aliases to more than RPyC's 1500 bytes. */
  private static byte[] oversizedRegister() {
    List<String> aliases = new ArrayList<>(List.of("EVIL"));
    for (int i = 0; i < 100; i++) {
      aliases.add("PADDING_ALIAS_" + i);
    }
    byte[] request = RegistryMessages.register(aliases, 1234);
    assertTrue(request.length > RegistryMessages.MAX_DGRAM_SIZE);
    return request;
  }

  @Test
  void badDatagrams_getNoReply_andTheRegistryKeepsAnswering() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      socket.setSoTimeout(5000);
      for (byte[] request : badRequests()) {
        socket.send(new DatagramPacket(request, request.length, LOOPBACK, udp.port()));
      }
      socket.send(new DatagramPacket(new byte[0], 0, LOOPBACK, udp.port()));
      socket.send(new DatagramPacket(new byte[9000], 9000, LOOPBACK, udp.port()));
      // The registry answers in order: the first reply must be the one to this valid query.
      socket.send(new DatagramPacket(QUERY_CALC, QUERY_CALC.length, LOOPBACK, udp.port()));
      byte[] buffer = new byte[2048];
      DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
      socket.receive(reply);
      assertArrayEquals(
          RegistryMessages.encode(Tuple.of()), Arrays.copyOf(buffer, reply.getLength()));
    }
    assertRegistryWorks(Registrar.udp("127.0.0.1", udp.port()));
  }

  @Test
  void badTcpRequests_areClosedWithoutReply_andTheRegistryKeepsAnswering() throws IOException {
    for (byte[] request : badRequests()) {
      assertClosedWithoutReply(request, true);
    }
    assertRegistryWorks(Registrar.tcp("127.0.0.1", tcp.port()));
  }

  @Test
  void tcpRequestsThatStopHalfway_areClosedAfterTheRequestTimeout() throws IOException {
    assertClosedWithoutReply(Arrays.copyOf(QUERY_CALC, 5), false);
    assertClosedWithoutReply(new byte[0], false);
    assertRegistryWorks(Registrar.tcp("127.0.0.1", tcp.port()));
  }

  @Test
  void aTcpStreamBeyond1500Bytes_isCut() throws IOException {
    try (Socket socket = new Socket(LOOPBACK, tcp.port())) {
      socket.setSoTimeout(5000);
      byte[] endless = new byte[64 * 1024];
      endless[0] = 0x12;
      endless[1] = 0x0f; // a bytes value of 2 GiB: it would never end
      endless[2] = 0x7f;
      try {
        socket.getOutputStream().write(endless);
      } catch (IOException expected) {
        // The registry may reset the connection while we are still writing.
      }
      assertEquals(-1, readQuietly(socket.getInputStream()));
    }
    assertRegistryWorks(Registrar.tcp("127.0.0.1", tcp.port()));
  }

  @Test
  void aRequestSentLikeRpycsClient_isAnsweredWithoutWaitingForTheTimeout() throws IOException {
    // RPyC's client sends and then reads, without shutting its output down.
    long start = System.nanoTime();
    try (Socket socket = new Socket(LOOPBACK, tcp.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(QUERY_CALC);
      assertArrayEquals(
          RegistryMessages.encode(Tuple.of()), socket.getInputStream().readAllBytes());
    }
    assertTrue(System.nanoTime() - start < 250_000_000L, "answered before the 300 ms timeout");
  }

  private void assertClosedWithoutReply(byte[] request, boolean halfClose) throws IOException {
    try (Socket socket = new Socket(LOOPBACK, tcp.port())) {
      socket.setSoTimeout(5000);
      try {
        socket.getOutputStream().write(request);
        if (halfClose) {
          socket.shutdownOutput();
        }
      } catch (IOException alreadyClosed) {
        // The registry may close before we finish sending: that is a fine answer too.
      }
      assertEquals(-1, readQuietly(socket.getInputStream()), "no reply to " + request.length);
    }
  }

  /** The first byte, or -1 at the end of the stream or after a reset. */
  private static int readQuietly(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketException reset) {
      return -1;
    }
  }

  /** Registers and discovers a name, proving the registry survived; EVIL was never registered. */
  private static void assertRegistryWorks(Registrar registrar) {
    Registration registration =
        RegistryBackends.open(registrar)
            .register(
                new RegistrationRequest(
                    List.of("ALIVE"), "127.0.0.1", 4321, null, Duration.ofMinutes(1)));
    try {
      Await.until(
          Duration.ofSeconds(10),
          () -> discovers(registrar, "alive", new Endpoint("127.0.0.1", 4321)),
          "a registration after the bad input");
      assertThrows(ServiceNotFoundException.class, () -> Rpyc.discover("EVIL", registrar));
    } finally {
      registration.close();
      RegistryBackends.closeAll();
    }
  }

  private static boolean discovers(Registrar registrar, String name, Endpoint endpoint) {
    try {
      return Rpyc.discover(name, registrar).equals(List.of(endpoint));
    } catch (ServiceNotFoundException e) {
      return false;
    }
  }
}
