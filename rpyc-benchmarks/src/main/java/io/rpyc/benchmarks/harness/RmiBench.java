package io.rpyc.benchmarks.harness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.UnicastRemoteObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java RMI side of the harness: the same operations as {@link BenchApi}, one {@code
 * UnicastRemoteObject}. The stub travels to the client as base64 text (no registry needed).
 */
public final class RmiBench {
  private RmiBench() {}

  /** {@link BenchApi} for RMI. */
  public interface Api extends Remote {
    /** Adds two ints. */
    int add(int a, int b) throws RemoteException;

    /** Returns its argument. */
    byte[] echo(byte[] data) throws RemoteException;

    /** A new exported list of {@code n} items. */
    Items items(int n) throws RemoteException;

    /** A new exported object. */
    Remote newObject() throws RemoteException;

    /**
     * The objects {@link #newObject()} exported that are still alive after a GC here: RMI's closest
     * thing to an export table (DGC unpins an object once no client holds it, and the server's GC
     * then collects and unexports it).
     */
    int liveObjects() throws RemoteException;
  }

  /** A remote list: only its size. */
  public interface Items extends Remote {
    /** The number of items. */
    int size() throws RemoteException;
  }

  /** What {@link Api#newObject()} exports. */
  public interface Token extends Remote {}

  /** The served object. */
  static final class Impl implements Api {
    private static final Cleaner CLEANER = Cleaner.create();
    private final AtomicInteger live = new AtomicInteger();

    @Override
    public int add(int a, int b) {
      return a + b;
    }

    @Override
    public byte[] echo(byte[] data) {
      return data;
    }

    @Override
    public Items items(int n) throws RemoteException {
      List<Integer> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(i);
      }
      ItemsImpl items = new ItemsImpl(list);
      UnicastRemoteObject.exportObject(items, 0);
      return items;
    }

    @Override
    public Remote newObject() throws RemoteException {
      TokenImpl token = new TokenImpl();
      live.incrementAndGet();
      CLEANER.register(token, live::decrementAndGet);
      UnicastRemoteObject.exportObject(token, 0);
      return token;
    }

    @Override
    public int liveObjects() {
      System.gc();
      return live.get();
    }
  }

  private static final class ItemsImpl implements Items {
    private final List<Integer> list;

    ItemsImpl(List<Integer> list) {
      this.list = list;
    }

    @Override
    public int size() {
      return list.size();
    }
  }

  private static final class TokenImpl implements Token {}

  /** Exports a new {@link Impl} and returns its stub as base64. */
  static String exportStub() throws IOException {
    Impl impl = new Impl();
    Remote stub = UnicastRemoteObject.exportObject(impl, 0);
    KEEP.add(impl);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(stub);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static final List<Object> KEEP = new ArrayList<>();

  /** The stub of {@link #exportStub()}'s text. */
  static Api stub(String base64) {
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
      return (Api) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
