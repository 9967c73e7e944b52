package dev.ddsls.analysis.jfr;

import dev.ddsls.analysis.jfr.JfrTypes.Field;
import dev.ddsls.analysis.jfr.JfrTypes.Type;
import java.util.List;

/**
 * Reads the execution samples of a JFR recording (format 2.x, as written by the JDK and by async-profiler) chunk by
 * chunk: the metadata event declares the types, the constant pools hold stack traces, methods, classes, symbols and
 * threads, and the events refer to them by id. Only {@code jdk.ExecutionSample} (cpu) and
 * {@code profiler.WallClockSample} (wall) events are decoded; every other event is skipped by its size. Frame names
 * are resolved once per stack trace and per method, not per sample.
 */
final class JfrParser {
  static final int CHUNK_HEADER = 68;
  static final String CPU_EVENT = "jdk.ExecutionSample", WALL_EVENT = "profiler.WallClockSample";

  /** Receives each sample in file order. */
  interface Sink {
    void sample(boolean wall, long epochNanos, Stack stack, JfrThread thread);
  }

  /** A stack trace: frame names ({@code package.Class.method}), leaf first, and their source lines (0 unknown). */
  static final class Stack {
    final long[] methods;
    final long[] lines;
    List<String> names;

    Stack(long[] methods, long[] lines) {
      this.methods = methods;
      this.lines = lines;
    }
  }

  /** A sampled thread; {@code labels} is the consumer's per-thread cache. */
  static final class JfrThread {
    final int javaNameAt;
    final long javaThreadId, osThreadId;
    String javaName;
    boolean resolved;
    Object labels;

    JfrThread(int javaNameAt, long javaThreadId, long osThreadId) {
      this.javaNameAt = javaNameAt;
      this.javaThreadId = javaThreadId;
      this.osThreadId = osThreadId;
    }
  }

  private final JfrInput in;
  private final Sink sink;
  // Per chunk: ids are only unique within a chunk.
  private JfrTypes types;
  private final LongMap<Stack> stacks = new LongMap<>();
  private final LongMap<long[]> methods = new LongMap<>(); // {class id, name symbol id}
  private final LongMap<String> methodNames = new LongMap<>();
  private final LongMap<Long> classes = new LongMap<>(); // class id -> name symbol id
  private final LongMap<Integer> symbols = new LongMap<>(); // symbol id -> position of its string
  private final LongMap<JfrThread> threads = new LongMap<>();
  private final LongMap<String> strings = new LongMap<>();

  private JfrParser(byte[] file, Sink sink) {
    this.in = new JfrInput(file);
    this.sink = sink;
  }

  /** Parses {@code file}, passing every cpu and wall sample to {@code sink}. */
  static void parse(byte[] file, Sink sink) {
    new JfrParser(file, sink).chunks();
  }

  private void chunks() {
    byte[] b = in.buf;
    int start = 0;
    do {
      if (b.length - start < CHUNK_HEADER) throw new Truncated("JFR chunk header at byte " + start + " has " + (b.length - start) + " of " + CHUNK_HEADER + " bytes");
      in.pos = start;
      if (in.i4() != 0x464c5200) throw new IllegalStateException("no JFR chunk at byte " + start + " (magic FLR\\0 missing)");
      int major = (b[start + 4] & 0xff) << 8 | b[start + 5] & 0xff;
      if (major != 2) throw new IllegalStateException("JFR format version " + major + " is not supported (2 is)");
      in.pos = start + 8;
      long size = in.i8(), poolOffset = in.i8(), metadataOffset = in.i8();
      long startNanos = in.i8(), durationNanos = in.i8(), startTicks = in.i8(), ticksPerSecond = in.i8();
      if (size < CHUNK_HEADER || size > b.length - start) {
        throw new Truncated("JFR chunk at byte " + start + " declares " + size + " bytes, " + (b.length - start) + " present");
      }
      int end = (int) (start + size);
      if (metadataOffset < CHUNK_HEADER || metadataOffset >= size || poolOffset < CHUNK_HEADER || poolOffset >= size) {
        throw new IllegalStateException("JFR chunk at byte " + start + " has no valid metadata or constant pool offset");
      }
      in.pos = (int) (start + metadataOffset);
      types = JfrTypes.read(in);
      clearPools();
      pools(start, end, start + (int) poolOffset);
      double ticksPerNano = ticksPerSecond / 1e9;
      events(start + CHUNK_HEADER, end, startNanos, startTicks, ticksPerNano);
      start = end;
    } while (start < b.length);
  }

  private void clearPools() {
    stacks.clear();
    methods.clear();
    methodNames.clear();
    classes.clear();
    symbols.clear();
    threads.clear();
    strings.clear();
  }

  /**
   * The chain of checkpoint events from {@code pos}; each one's delta points to the next (0: the last one). Every
   * target must lie inside the chunk and be new: a delta that wraps or loops would otherwise read the chain forever.
   */
  private void pools(int chunkStart, int chunkEnd, int pos) {
    LongMap<Boolean> seen = new LongMap<>();
    while (true) {
      if (seen.get(pos) != null) throw new IllegalStateException("constant pool chain loops back to byte " + pos);
      seen.put(pos, Boolean.TRUE);
      in.pos = pos;
      in.varint(); // size
      if (in.varlong() != 1) throw new IllegalStateException("no constant pool event at byte " + pos);
      in.varlong(); // start time
      in.varlong(); // duration
      long delta = in.varlong();
      in.pos++; // flush flag
      for (int n = in.count("constant pools"); n > 0; n--) pool();
      if (delta == 0) return;
      long next = pos + delta;
      if (next < chunkStart + CHUNK_HEADER || next >= chunkEnd) {
        throw new IllegalStateException("constant pool at byte " + pos + " points outside its chunk (delta " + delta + ")");
      }
      pos = (int) next;
    }
  }

  private void pool() {
    long typeId = in.varlong();
    Type type = types.byId.get(typeId);
    if (type == null) throw new IllegalStateException("constant pool of undeclared type " + typeId + " at byte " + in.pos);
    int count = in.count("constant pool " + type.name);
    switch (type.name) {
      case "jdk.types.StackTrace": for (int i = 0; i < count; i++) stackTrace(type); break;
      case "jdk.types.Method": for (int i = 0; i < count; i++) method(type); break;
      case "java.lang.Class": for (int i = 0; i < count; i++) javaClass(type); break;
      case "jdk.types.Symbol": for (int i = 0; i < count; i++) symbol(type); break;
      case "java.lang.Thread": for (int i = 0; i < count; i++) thread(type); break;
      case "java.lang.String": for (int i = 0; i < count; i++) strings.put(in.varlong(), nonNull(in.string(null))); break;
      default:
        for (int i = 0; i < count; i++) {
          in.varlong();
          JfrTypes.skipStruct(in, type);
        }
    }
  }

  private void stackTrace(Type type) {
    long id = in.varlong();
    Stack stack = null;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.FRAMES && f.array && f.struct != null) stack = frames(f.struct);
      else JfrTypes.skip(in, f);
    }
    if (stack != null) stacks.put(id, stack);
  }

  private Stack frames(Type frameType) {
    int n = in.count("stack trace frames");
    long[] ms = new long[n];
    long[] lines = new long[n];
    Field[] fields = frameType.all;
    if (allVarints(fields)) {
      // The usual frame (method, lineNumber, bytecodeIndex, type): one varint each, no per-field dispatch.
      int method = role(fields, JfrTypes.METHOD), line = role(fields, JfrTypes.LINE);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < fields.length; j++) {
          long v = in.varlong();
          if (j == method) ms[i] = v;
          else if (j == line) lines[i] = Math.max(0, (int) v);
        }
      }
      return new Stack(ms, lines);
    }
    for (int i = 0; i < n; i++) {
      for (Field f : fields) {
        if (f.role == JfrTypes.METHOD && f.kind == JfrTypes.POOL_REF && !f.array) ms[i] = in.varlong();
        else if (f.role == JfrTypes.LINE && f.kind == JfrTypes.VARINT && !f.array) lines[i] = Math.max(0, in.varint());
        else JfrTypes.skip(in, f);
      }
    }
    return new Stack(ms, lines);
  }

  private static boolean allVarints(Field[] fields) {
    for (Field f : fields) {
      if (f.array || (f.kind != JfrTypes.VARINT && f.kind != JfrTypes.POOL_REF)) return false;
    }
    return true;
  }

  /** Index of the pool reference or varint field with {@code role}, or -1. */
  private static int role(Field[] fields, int role) {
    for (int i = 0; i < fields.length; i++) {
      if (fields[i].role == role) return i;
    }
    return -1;
  }

  private void method(Type type) {
    long id = in.varlong();
    long[] m = new long[2];
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.TYPE && f.kind == JfrTypes.POOL_REF) m[0] = in.varlong();
      else if (f.role == JfrTypes.NAME && f.kind == JfrTypes.POOL_REF) m[1] = in.varlong();
      else JfrTypes.skip(in, f);
    }
    methods.put(id, m);
  }

  private void javaClass(Type type) {
    long id = in.varlong();
    long name = 0;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.NAME && f.kind == JfrTypes.POOL_REF) name = in.varlong();
      else JfrTypes.skip(in, f);
    }
    classes.put(id, name);
  }

  /** Symbols are decoded on first use: most (method descriptors, packages) never are. */
  private void symbol(Type type) {
    long id = in.varlong();
    int at = -1;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.SYMBOL_STRING && f.kind == JfrTypes.STRING) at = in.pos;
      JfrTypes.skip(in, f);
    }
    if (at >= 0) symbols.put(id, at);
  }

  private void thread(Type type) {
    long id = in.varlong();
    int nameAt = -1;
    long javaId = 0, osId = 0;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.JAVA_NAME && f.kind == JfrTypes.STRING) nameAt = in.pos;
      else if (f.role == JfrTypes.JAVA_THREAD_ID && f.kind == JfrTypes.VARINT) {
        javaId = in.varlong();
        continue;
      } else if (f.role == JfrTypes.OS_THREAD_ID && f.kind == JfrTypes.VARINT) {
        osId = in.varlong();
        continue;
      }
      JfrTypes.skip(in, f);
    }
    threads.put(id, new JfrThread(nameAt, javaId, osId));
  }

  private void events(int pos, int end, long startNanos, long startTicks, double ticksPerNano) {
    Type cpu = types.byName.get(CPU_EVENT), wall = types.byName.get(WALL_EVENT);
    long cpuId = cpu == null ? -1 : cpu.id, wallId = wall == null ? -1 : wall.id;
    while (pos < end) {
      in.pos = pos;
      int size = in.varint();
      if (size <= 0 || size > end - pos) throw new Truncated("JFR event at byte " + pos + " declares " + size + " bytes, " + (end - pos) + " left in its chunk");
      long typeId = in.varlong();
      if (typeId == cpuId) sample(cpu, false, startNanos, startTicks, ticksPerNano);
      else if (typeId == wallId) sample(wall, true, startNanos, startTicks, ticksPerNano);
      pos += size;
    }
  }

  private void sample(Type type, boolean isWall, long startNanos, long startTicks, double ticksPerNano) {
    long ticks = 0, stackId = 0, threadId = 0;
    boolean sampled = false;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      boolean scalar = !f.array && (f.kind == JfrTypes.VARINT || f.kind == JfrTypes.POOL_REF);
      switch (scalar ? f.role : JfrTypes.OTHER) {
        case JfrTypes.START_TIME: ticks = in.varlong(); break;
        case JfrTypes.STACK_TRACE: stackId = in.varlong(); break;
        case JfrTypes.SAMPLED_THREAD: threadId = in.varlong(); sampled = true; break;
        case JfrTypes.EVENT_THREAD: if (sampled) in.varlong(); else threadId = in.varlong(); break;
        default: JfrTypes.skip(in, f);
      }
    }
    Stack stack = stacks.get(stackId);
    if (stack == null) return;
    if (stack.names == null) stack.names = names(stack.methods);
    JfrThread thread = threads.get(threadId);
    if (thread != null && !thread.resolved) {
      thread.javaName = thread.javaNameAt < 0 ? null : stringAt(thread.javaNameAt);
      thread.resolved = true;
    }
    sink.sample(isWall, startNanos + (long) ((ticks - startTicks) / ticksPerNano), stack, thread);
  }

  private List<String> names(long[] ms) {
    String[] names = new String[ms.length];
    for (int i = 0; i < ms.length; i++) {
      String name = methodNames.get(ms[i]);
      if (name == null) {
        long[] m = methods.get(ms[i]);
        Long cls = m == null ? null : classes.get(m[0]);
        String className = cls == null ? null : symbol(cls);
        String methodName = m == null ? null : symbol(m[1]);
        name = (className == null ? "" : className.replace('/', '.')) + "." + (methodName == null ? "" : methodName);
        methodNames.put(ms[i], name);
      }
      names[i] = name;
    }
    return List.of(names);
  }

  private String symbol(long id) {
    Integer at = symbols.get(id);
    return at == null ? null : stringAt(at);
  }

  private String stringAt(int at) {
    int saved = in.pos;
    in.pos = at;
    String s = in.string(strings);
    in.pos = saved;
    return s;
  }

  private static String nonNull(String s) { return s == null ? "" : s; }

  /** The recording ends before a structure it declares does. */
  static final class Truncated extends RuntimeException {
    Truncated(String message) {
      super(message + " (truncated?)");
    }
  }
}
