package io.rpyc.server.classic;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping a running snippet. Snippet classes are {@linkplain #instrument instrumented} to call
 * {@link #check()} before every backward jump (each loop iteration), so even {@code while (true)
 * {}} notices a stop request; a snippet blocked in {@code sleep}, {@code wait} or interruptible I/O
 * is interrupted as well. {@link #check()} costs one volatile read while no stop is pending.
 *
 * <p>Public only because snippet classes, defined in another class loader, call {@link #check()}.
 */
public final class SnippetStop {
  private static final Logger log = LoggerFactory.getLogger(SnippetStop.class);
  private static final String OWNER = SnippetStop.class.getName().replace('.', '/');
  private static final Set<Thread> requested = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger pending = new AtomicInteger();

  private SnippetStop() {}

  /**
   * Throws {@link SnippetStoppedException} if a stop of the calling thread's snippet was requested.
   * Called by instrumented snippet code; harmless anywhere else.
   */
  public static void check() {
    if (pending.get() != 0 && requested.contains(Thread.currentThread())) {
      throw new SnippetStoppedException(); // again at each iteration, until the snippet ends
    }
  }

  /** Asks the snippet running on {@code thread} to stop at its next check. */
  static void request(Thread thread) {
    if (requested.add(thread)) {
      pending.incrementAndGet();
    }
  }

  /** Withdraws the request for {@code thread}: its snippet has ended. */
  static void clear(Thread thread) {
    if (requested.remove(thread)) {
      pending.decrementAndGet();
    }
  }

  /**
   * A snippet class with a call to {@link #check()} before each backward jump; the class as it is
   * (runnable, not stoppable) if it cannot be instrumented, e.g. a class file newer than the
   * bundled ASM reads.
   */
  static byte[] instrument(byte[] classFile) {
    try {
      return instrumented(classFile);
    } catch (RuntimeException e) {
      log.warn("a snippet class could not be made stoppable, it runs as it is: {}", e.toString());
      return classFile;
    }
  }

  private static byte[] instrumented(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String descriptor, String signature, String[] exceptions) {
            return new LoopChecks(
                super.visitMethod(access, name, descriptor, signature, exceptions));
          }
        },
        0);
    return writer.toByteArray();
  }

  /** Inserts the check before jumps to a label already seen: the back edges of loops. */
  private static final class LoopChecks extends MethodVisitor {
    private final Set<Label> seen = new HashSet<>();

    LoopChecks(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitLabel(Label label) {
      seen.add(label);
      super.visitLabel(label);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
      if (seen.contains(label)) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "check", "()V", false);
      }
      super.visitJumpInsn(opcode, label);
    }
  }
}
