package io.rpyc.server.classic;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's half of {@code upload} and {@code download}: files opened for a client, written or
 * read one chunk per call, so a file of any size never sits in memory whole. The client closes each
 * one; whatever a connection leaves open is closed when it ends.
 */
final class FileChunks implements Closeable {
  /** The largest chunk one read returns. */
  static final int MAX_CHUNK = 16 << 20;

  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();

  Writer openForWriting(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Writer w = new Writer(this, path, Files.newOutputStream(path));
    open.add(w);
    return w;
  }

  Reader openForReading(Path path) throws IOException {
    Reader r = new Reader(this, path, Files.newInputStream(path));
    open.add(r);
    return r;
  }

  @Override
  public void close() {
    for (Closeable c : open) {
      try {
        c.close();
      } catch (IOException e) {
        // the connection is gone; nobody to tell
      }
    }
    open.clear();
  }

  /** A file being written: {@code write(bytes)} appends, {@code close()} finishes. */
  public static final class Writer implements Closeable {
    private final FileChunks owner;
    private final Path path;
    private final OutputStream out;

    Writer(FileChunks owner, Path path, OutputStream out) {
      this.owner = owner;
      this.path = path;
      this.out = out;
    }

    /** Appends a chunk. */
    public synchronized void write(byte[] chunk) throws IOException {
      out.write(chunk);
    }

    @Override
    public synchronized void close() throws IOException {
      owner.open.remove(this);
      out.close();
    }

    @Override
    public String toString() {
      return "writing " + path;
    }
  }

  /** A file being read: {@code read(max)} returns the next chunk, empty at the end. */
  public static final class Reader implements Closeable {
    private final FileChunks owner;
    private final Path path;
    private final InputStream in;

    Reader(FileChunks owner, Path path, InputStream in) {
      this.owner = owner;
      this.path = path;
      this.in = in;
    }

    /** The next chunk of at most {@code max} bytes (capped at 16 MiB); empty at the end. */
    public synchronized byte[] read(int max) throws IOException {
      if (max <= 0) {
        throw new IllegalArgumentException("max must be positive, got " + max);
      }
      return in.readNBytes(Math.min(max, MAX_CHUNK));
    }

    @Override
    public synchronized void close() throws IOException {
      owner.open.remove(this);
      in.close();
    }

    @Override
    public String toString() {
      return "reading " + path;
    }
  }
}
