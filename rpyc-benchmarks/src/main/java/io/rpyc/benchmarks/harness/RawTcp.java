package io.rpyc.benchmarks.harness;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The floor: a ping-pong of RPyC frames over blocking sockets, one thread on each side, no
 * decoding. The first byte a client sends picks the mode: {@code 'P'} answers every frame with one
 * fixed frame (the bytes of an rpyc-java {@code add} reply), {@code 'E'} echoes every frame, {@code
 * 'S'} answers as {@code 'P'} but polls the socket for up to {@link #SPIN_NANOS} before it blocks
 * in a read, as rpyc-java's spin-wait does (its client does the same when it was made spinning).
 * {@link SharedClient} is the floor of many threads calling over one connection.
 */
final class RawTcp {
  static final int MODE_PING = 'P';
  static final int MODE_ECHO = 'E';
  static final int MODE_SPIN = 'S';

  /** rpyc-java's default {@code RpycConfig.spinWait}. */
  static final long SPIN_NANOS = 50_000;

  private static final int HEADER = 5;

  private RawTcp() {}

  /** Listens on loopback and serves each connection on its own thread; returns the port. */
  static int serve(byte[] reply) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (true) {
                Socket s;
                try {
                  s = listener.accept();
                } catch (IOException e) {
                  return;
                }
                Thread t = new Thread(() -> serveConnection(s, reply), "raw-tcp-server");
                t.setDaemon(true);
                t.start();
              }
            },
            "raw-tcp-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return listener.getLocalPort();
  }

  private static void serveConnection(Socket s, byte[] reply) {
    try (s) {
      s.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 65536));
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 65536);
      int mode = in.read();
      byte[] buffer = new byte[4096];
      while (true) {
        if (mode == MODE_SPIN) {
          spinUntilReadable(in);
        }
        int length = in.readInt();
        buffer = readRest(in, length, buffer);
        if (mode == MODE_ECHO) {
          writeInt(out, length);
          out.write(buffer, 0, 1 + length + 1);
        } else {
          out.write(reply);
        }
        if (in.available() == 0) {
          out.flush(); // answer now unless more requests are already here (pipelining)
        }
      }
    } catch (EOFException e) {
      // the client left
    } catch (IOException e) {
      // the client left abruptly
    }
  }

  /** Polls {@code in} for up to {@link #SPIN_NANOS}: the read that follows rarely blocks. */
  private static void spinUntilReadable(InputStream in) throws IOException {
    long until = System.nanoTime() + SPIN_NANOS;
    while (in.available() == 0 && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /**
   * Reads the rest of a frame whose length field was just read (compressed flag, payload, trailer)
   * into {@code buffer}, or into a larger one it returns.
   */
  private static byte[] readRest(DataInputStream in, int length, byte[] buffer) throws IOException {
    if (length < 0) {
      throw new IOException("a frame of negative length " + length);
    }
    int rest = 1 + length + 1;
    byte[] into = buffer.length < rest ? new byte[rest] : buffer;
    in.readFully(into, 0, rest);
    return into;
  }

  private static void writeInt(OutputStream out, int v) throws IOException {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  /** One client connection; not thread-safe except {@link #pipelined}'s own reader. */
  static final class Client implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final boolean spinning;
    private byte[] buffer = new byte[4096];

    Client(int port, int mode) throws IOException {
      spinning = mode == MODE_SPIN;
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setTcpNoDelay(true);
      in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
      out = new BufferedOutputStream(socket.getOutputStream(), 65536);
      out.write(mode);
    }

    /** Sends a complete frame and reads the answering frame; returns its payload length. */
    int roundTrip(byte[] frame) throws IOException {
      out.write(frame);
      out.flush();
      if (spinning) {
        spinUntilReadable(in);
      }
      return readFrame();
    }

    /** Echoes {@code payload} in one frame; returns the echoed payload length. */
    int echo(byte[] payload) throws IOException {
      writeInt(out, payload.length);
      out.write(0);
      out.write(payload);
      out.write('\n');
      out.flush();
      return readFrame();
    }

    private int readFrame() throws IOException {
      int length = in.readInt();
      buffer = readRest(in, length, buffer);
      return length;
    }

    /**
     * Sends {@code frame} over and over for {@code nanos} (at most {@code maxCalls} times), with at
     * most {@code window} unanswered; a second thread reads the answers. Frames are flushed a
     * quarter window at a time (or when the window is full), so requests share system calls as a
     * pipelining client's would. Returns the number answered.
     */
    long pipelined(byte[] frame, int window, long nanos, long maxCalls) throws Exception {
      Semaphore permits = new Semaphore(window);
      AtomicReference<IOException> failure = new AtomicReference<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (!Thread.currentThread().isInterrupted()) {
                    readFrame();
                    permits.release();
                  }
                } catch (IOException e) {
                  failure.set(e);
                  permits.release(window);
                }
              },
              "raw-tcp-reader");
      reader.setDaemon(true);
      reader.start();
      long deadline = System.nanoTime() + nanos;
      long count = 0;
      int batch = Math.max(1, window / 4);
      while (count < maxCalls && System.nanoTime() < deadline && failure.get() == null) {
        if (!permits.tryAcquire()) {
          out.flush();
          permits.acquire();
        }
        out.write(frame);
        if (++count % batch == 0) {
          out.flush();
        }
      }
      out.flush();
      permits.acquire(window); // every answer is in
      if (failure.get() != null) {
        throw failure.get();
      }
      reader.interrupt();
      socket.close(); // ends the reader's read
      reader.join();
      return count;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * One socket shared by many calling threads, with the fewest thread hand-offs such a connection
   * allows (leader/followers, as rpyc-java's default client transport): a caller writes its frame
   * under a lock; then the caller that gets the read lock reads answers (they come in the order the
   * frames went out) and wakes the caller of each until its own has come, and hands reading on to
   * the oldest caller still waiting; the others park meanwhile. The floor of the "N threads, 1
   * connection" rows: the same bytes, no encoding, decoding or dispatch.
   */
  static final class SharedClient implements AutoCloseable {
    /** Longest a caller parks before it looks again whether it may read or the socket failed. */
    private static final long RECHECK_NANOS = 100_000_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>(); // sent order
    private byte[] buffer = new byte[4096]; // guarded by readLock
    private volatile IOException failure;

    /** A call waiting for its answer. */
    private static final class Call {
      final Thread caller = Thread.currentThread();
      volatile boolean done;
    }

    SharedClient(int port) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      try {
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
        out = socket.getOutputStream();
        out.write(MODE_PING);
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    }

    /** Sends a complete frame and waits until its answer has been read. Thread-safe. */
    void roundTrip(byte[] frame) throws IOException {
      Call call = new Call();
      writeLock.lock();
      try {
        checkOpen();
        calls.add(call); // in the order the frames go out, which is the answers' order
        out.write(frame);
      } catch (IOException e) {
        fail(e);
        throw e;
      } finally {
        writeLock.unlock();
      }
      while (!call.done) {
        checkOpen();
        if (readLock.tryLock()) {
          try {
            readUntilDone(call);
          } finally {
            readLock.unlock();
          }
          Call next = calls.peek(); // the oldest caller still waiting reads next
          if (next != null) {
            LockSupport.unpark(next.caller);
          }
        } else {
          LockSupport.parkNanos(this, RECHECK_NANOS); // woken by its answer or to read
        }
      }
    }

    /**
     * Reads answers, waking each one's caller, until {@code mine} has come. Holds the read lock.
     */
    private void readUntilDone(Call mine) throws IOException {
      try {
        while (!mine.done) {
          buffer = readRest(in, in.readInt(), buffer);
          Call call = calls.poll();
          if (call == null) {
            throw new IOException("an answer nobody asked for");
          }
          call.done = true;
          if (call != mine) {
            LockSupport.unpark(call.caller);
          }
        }
      } catch (IOException e) {
        fail(e);
        throw e;
      }
    }

    private void checkOpen() throws IOException {
      IOException e = failure;
      if (e != null) {
        throw new IOException("the shared floor connection failed", e);
      }
    }

    /** The socket failed: every caller waiting learns it (within {@link #RECHECK_NANOS}). */
    private void fail(IOException e) {
      failure = e;
      for (Call call : calls) {
        LockSupport.unpark(call.caller);
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // failing anyway
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
