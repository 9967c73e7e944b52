package dev.ddsls.formats.jfr;

import dev.ddsls.formats.jfr.JfrTypes.Field;
import dev.ddsls.formats.jfr.JfrTypes.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the samples of a JFR recording (format 2.x, as written by the JDK, async-profiler and dd-trace-java) chunk by
 * chunk: the metadata event declares the types, the constant pools hold stack traces, methods, classes, symbols and
 * threads, and the events refer to them by id. Decoded: the cpu samples {@code jdk.ExecutionSample} and ddprof's
 * {@code datadog.ExecutionSample}, the wall samples {@code profiler.WallClockSample} (async-profiler) and ddprof's
 * {@code datadog.MethodSample} (both with the span ids of the sampled thread's active span), dd-trace-java's
 * {@code datadog.Endpoint} (local root span id to endpoint) and {@code jdk.ActiveSetting} (the sampling periods,
 * {@link SamplePeriods}). Every other event is skipped by its size and counted when its type is a sample. Frame
 * names are resolved once per stack trace and per method, not per sample.
 *
 * <p>Dependency-free and small on purpose: the profiler agent reads its own recordings with it at flush time, where
 * the JDK's {@code jdk.jfr.consumer} loads far more classes; the analysis reads every JFR input with it.
 */
public final class JfrParser {
  static final int CHUNK_HEADER = 68;
  static final int CPU = 1, WALL = 2, ENDPOINT = 3, SETTING = 4;
  private static final Map<String, Integer> KINDS = Map.of(
      "jdk.ExecutionSample", CPU, "datadog.ExecutionSample", CPU,
      "profiler.WallClockSample", WALL, "datadog.MethodSample", WALL,
      "datadog.Endpoint", ENDPOINT, "jdk.ActiveSetting", SETTING);

  /** Receives each sample in file order. */
  public interface Sink {
    /** One sample; {@code event} is reused for the next one, so keep its values, not the object. */
    void sample(SampleEvent event);

    /** A dd-trace-java endpoint: the local root span {@code localRootSpanId} served {@code endpoint}. */
    default void endpoint(long localRootSpanId, String endpoint) {}

    /** Sample events left out, {@code count} of a type for one reason (no stack trace, a kind ddsls does not analyse). */
    default void skipped(String eventType, String reason, int count) {}

    /** A {@code jdk.ActiveSetting}: {@code eventType} is the type it is for (null when the chunk declares none). */
    default void setting(String eventType, String name, String value) {}

    /**
     * Whether stacks need their frames' classes, methods and types apart ({@link Stack#classNames} and the rest), or
     * only their names: resolving those per frame is a third of reading a recording with many distinct stacks.
     */
    default boolean frameDetails() { return true; }
  }

  /** One cpu or wall sample, as {@link Sink#sample} receives it. */
  public static final class SampleEvent {
    public boolean wall;
    public String eventType;
    public long epochNanos;
    public Stack stack;
    /** Null when the event names no thread known to the chunk. */
    public JfrThread thread;
    /** The sampled thread's span ids (ddprof), 0 when the event has none. */
    public long spanId, localRootSpanId;
    /** How many periods the sample stands for ({@code weight} or {@code samples}; 1 when the event says nothing). */
    public long weight;
    /** The period the recording states for this event type, 0 when it states none. */
    public long periodNanos;
    /** The thread's state as the event names it ({@code STATE_RUNNABLE}, {@code STATE_SLEEPING}...), or null. */
    public String threadState;
  }

  /**
   * A stack trace, leaf first: frame names ({@code package.Class.method}), their classes and methods apart, the frame
   * types the recording names ({@code Interpreted}, {@code JIT compiled}, {@code Native}, {@code C++}...; null
   * unknown) and source lines (0 unknown). Resolved once per stack trace, the parts apart only for a sink that wants
   * them ({@link Sink#frameDetails}; null otherwise); {@code attachment} is the consumer's cache.
   */
  public static final class Stack {
    final long[] methods;
    final long[] frameTypeIds;
    public final long[] lines;
    public List<String> names;
    public String[] classNames, methodNames, frameTypes;
    public Object attachment;

    Stack(long[] methods, long[] lines, long[] frameTypeIds) {
      this.methods = methods;
      this.lines = lines;
      this.frameTypeIds = frameTypeIds;
    }
  }

  /** A sampled thread; {@code labels} is the consumer's per-thread cache. */
  public static final class JfrThread {
    final int javaNameAt, osNameAt;
    public final long javaThreadId, osThreadId;
    public String javaName, osName;
    boolean resolved;
    public Object labels;

    JfrThread(int javaNameAt, int osNameAt, long javaThreadId, long osThreadId) {
      this.javaNameAt = javaNameAt;
      this.osNameAt = osNameAt;
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
  private final LongMap<String[]> methodNames = new LongMap<>(); // {package.Class.method, class, method}
  private final LongMap<String> frameNames = new LongMap<>(); // package.Class.method, without the parts apart
  private final LongMap<Long> classes = new LongMap<>(); // class id -> name symbol id
  private final LongMap<Integer> symbols = new LongMap<>(); // symbol id -> position of its string
  private final LongMap<JfrThread> threads = new LongMap<>();
  private final LongMap<String> strings = new LongMap<>();
  private final LongMap<String> frameTypeNames = new LongMap<>();
  private final LongMap<String> threadStates = new LongMap<>();
  private final SamplePeriods periods = new SamplePeriods();
  private final SampleEvent event = new SampleEvent();
  private final boolean frameDetails;

  private JfrParser(byte[] file, Sink sink) {
    this.in = new JfrInput(file);
    this.sink = sink;
    this.frameDetails = sink.frameDetails();
  }

  /**
   * Parses {@code file}, passing every cpu and wall sample to {@code sink}. Throws {@link IllegalStateException} (or
   * {@link Truncated}, or {@link ArrayIndexOutOfBoundsException} for a structure cut short) on a file it cannot read.
   */
  public static void parse(byte[] file, Sink sink) {
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
    frameNames.clear();
    classes.clear();
    symbols.clear();
    threads.clear();
    strings.clear();
    frameTypeNames.clear();
    threadStates.clear();
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
      case "jdk.types.FrameType": for (int i = 0; i < count; i++) named(type, JfrTypes.DESCRIPTION, frameTypeNames); break;
      case "jdk.types.ThreadState": for (int i = 0; i < count; i++) named(type, JfrTypes.NAME, threadStates); break;
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
    long[] kinds = frameDetails ? new long[n] : null; // frame types are only resolved for a sink that wants them
    Field[] fields = frameType.all;
    if (allVarints(fields)) {
      // The usual frame (method, lineNumber, bytecodeIndex, type): one varint each, no per-field dispatch.
      int method = role(fields, JfrTypes.METHOD), line = role(fields, JfrTypes.LINE);
      int kind = frameDetails ? role(fields, JfrTypes.TYPE) : -1;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < fields.length; j++) {
          long v = in.varlong();
          if (j == method) ms[i] = v;
          else if (j == line) lines[i] = Math.max(0, (int) v);
          else if (j == kind) kinds[i] = v;
        }
      }
      return new Stack(ms, lines, kinds);
    }
    for (int i = 0; i < n; i++) {
      for (Field f : fields) {
        if (f.role == JfrTypes.METHOD && f.kind == JfrTypes.POOL_REF && !f.array) ms[i] = in.varlong();
        else if (f.role == JfrTypes.LINE && f.kind == JfrTypes.VARINT && !f.array) lines[i] = Math.max(0, in.varint());
        else if (f.role == JfrTypes.TYPE && f.kind == JfrTypes.POOL_REF && !f.array && frameDetails) kinds[i] = in.varlong();
        else JfrTypes.skip(in, f);
      }
    }
    return new Stack(ms, lines, kinds);
  }

  /** A constant whose one string field with {@code role} is all ddsls needs (frame types, thread states). */
  private void named(Type type, int role, LongMap<String> into) {
    long id = in.varlong();
    String name = null;
    for (Field f : type.all) {
      if (f.role == role && isString(f)) name = string(f);
      else JfrTypes.skip(in, f);
    }
    if (name != null) into.put(id, name);
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
    int nameAt = -1, osNameAt = -1;
    long javaId = 0, osId = 0;
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) {
      Field f = fields.get(i);
      if (f.role == JfrTypes.JAVA_NAME && f.kind == JfrTypes.STRING) nameAt = in.pos;
      else if (f.role == JfrTypes.OS_NAME && f.kind == JfrTypes.STRING) osNameAt = in.pos;
      else if (f.role == JfrTypes.JAVA_THREAD_ID && f.kind == JfrTypes.VARINT) {
        javaId = in.varlong();
        continue;
      } else if (f.role == JfrTypes.OS_THREAD_ID && f.kind == JfrTypes.VARINT) {
        osId = in.varlong();
        continue;
      }
      JfrTypes.skip(in, f);
    }
    threads.put(id, new JfrThread(nameAt, osNameAt, javaId, osId));
  }

  /**
   * One walk over the chunk's events reads the settings (a chunk may state a period after the samples it applies to)
   * and notes where the samples and endpoints are; a second reads those alone. Three walks over every event, as this
   * was, took half of reading a JDK recording, whose events are mostly of other kinds.
   */
  private void events(int pos, int end, long startNanos, long startTicks, double ticksPerNano) {
    LongMap<Decoded> decoded = new LongMap<>();
    List<Decoded> decodedTypes = new ArrayList<>();
    LongMap<Type> samples = new LongMap<>();
    for (Type t : types.byName.values()) {
      Integer kind = KINDS.get(t.name);
      if (kind != null) {
        Decoded d = new Decoded(t, kind);
        decoded.put(t.id, d);
        decodedTypes.add(d);
      } else if (t.name.endsWith("Sample")) {
        samples.put(t.id, t); // allocation, native, object samples: counted only
      }
    }
    LongMap<int[]> unread = new LongMap<>();
    int[] later = new int[256];
    int n = 0;
    for (int at = pos; at < end; ) {
      in.pos = at;
      int size = in.varint();
      if (size <= 0 || size > end - at) throw new Truncated("JFR event at byte " + at + " declares " + size + " bytes, " + (end - at) + " left in its chunk");
      long typeId = in.varlong();
      Decoded d = decoded.get(typeId);
      if (d != null) {
        if (d.kind == SETTING) {
          setting(d.type);
        } else {
          if (n == later.length) later = Arrays.copyOf(later, 2 * n);
          later[n++] = at;
        }
      } else if (samples.get(typeId) != null) {
        int[] count = unread.get(typeId);
        if (count == null) unread.put(typeId, count = new int[1]);
        count[0]++;
      }
      at += size;
    }
    // Every setting of the chunk is known now: a sample type's period is looked up once, not per sample.
    for (Decoded d : decodedTypes) d.periodNanos = periods.of(d.type.name);
    for (int i = 0; i < n; i++) {
      in.pos = later[i];
      in.varint();
      Decoded d = decoded.get(in.varlong());
      if (d.kind == ENDPOINT) endpoint(d.type);
      else sample(d, startNanos, startTicks, ticksPerNano);
    }
    for (Type t : types.byName.values()) {
      int[] count = unread.get(t.id);
      if (count != null) sink.skipped(t.name, "a kind of sample ddsls does not analyse", count[0]);
    }
  }

  /**
   * An event type the parser decodes, with what its events need per chunk: what each field is to a sample (its role,
   * or {@link JfrTypes#OTHER} for one that is skipped) and the period the chunk states for it.
   */
  private static final class Decoded {
    final Type type;
    final int kind;
    final int[] sampleRoles;
    long periodNanos;

    Decoded(Type type, int kind) {
      this.type = type;
      this.kind = kind;
      Field[] fields = type.all;
      sampleRoles = new int[fields.length];
      for (int i = 0; i < fields.length; i++) {
        Field f = fields[i];
        boolean scalar = !f.array && (f.kind == JfrTypes.VARINT || f.kind == JfrTypes.POOL_REF);
        sampleRoles[i] = !scalar || f.role == JfrTypes.STATE && f.kind != JfrTypes.POOL_REF ? JfrTypes.OTHER : f.role;
      }
    }
  }

  private void setting(Type type) {
    long id = -1;
    String name = null, value = null;
    for (Field f : type.all) {
      if (f.role == JfrTypes.SETTING_ID && f.kind == JfrTypes.VARINT && !f.array) id = in.varlong();
      else if (f.role == JfrTypes.NAME && isString(f)) name = string(f);
      else if (f.role == JfrTypes.VALUE && isString(f)) value = string(f);
      else JfrTypes.skip(in, f);
    }
    Type of = types.byId.get(id);
    if (of != null) periods.setting(of.name, name, value);
    sink.setting(of == null ? null : of.name, name, value);
  }

  private void endpoint(Type type) {
    long root = 0;
    String endpoint = null;
    for (Field f : type.all) {
      if (f.role == JfrTypes.LOCAL_ROOT_SPAN_ID && f.kind == JfrTypes.VARINT && !f.array) root = in.varlong();
      else if (f.role == JfrTypes.ENDPOINT && isString(f)) endpoint = string(f);
      else JfrTypes.skip(in, f);
    }
    if (root != 0 && endpoint != null && !endpoint.isEmpty()) sink.endpoint(root, endpoint);
  }

  /** A string field: inline, or (as the JDK writes event strings) a reference into the chunk's string pool. */
  private boolean isString(Field f) {
    if (f.array) return false;
    if (f.kind == JfrTypes.STRING) return true;
    Type t = f.kind == JfrTypes.POOL_REF ? types.byId.get(f.typeId) : null;
    return t != null && t.name.equals("java.lang.String");
  }

  private String string(Field f) { return f.kind == JfrTypes.STRING ? in.string(strings) : strings.get(in.varlong()); }

  private void sample(Decoded d, long startNanos, long startTicks, double ticksPerNano) {
    long ticks = 0, stackId = 0, threadId = 0, spanId = 0, rootId = 0, weight = 1, state = -1;
    boolean sampled = false;
    Field[] fields = d.type.all;
    int[] roles = d.sampleRoles;
    for (int i = 0; i < roles.length; i++) {
      switch (roles[i]) {
        case JfrTypes.START_TIME: ticks = in.varlong(); break;
        case JfrTypes.STACK_TRACE: stackId = in.varlong(); break;
        case JfrTypes.SAMPLED_THREAD: threadId = in.varlong(); sampled = true; break;
        case JfrTypes.EVENT_THREAD: if (sampled) in.varlong(); else threadId = in.varlong(); break;
        case JfrTypes.SPAN_ID: spanId = in.varlong(); break;
        case JfrTypes.LOCAL_ROOT_SPAN_ID: rootId = in.varlong(); break;
        case JfrTypes.WEIGHT: case JfrTypes.SAMPLES: weight = in.varlong(); break;
        case JfrTypes.STATE: state = in.varlong(); break;
        default: JfrTypes.skip(in, fields[i]);
      }
    }
    Type type = d.type;
    Stack stack = stacks.get(stackId);
    if (stack == null) {
      sink.skipped(type.name, "no stack trace", 1);
      return;
    }
    if (stack.names == null) resolve(stack);
    JfrThread thread = threads.get(threadId);
    if (thread != null && !thread.resolved) {
      thread.javaName = thread.javaNameAt < 0 ? null : stringAt(thread.javaNameAt);
      thread.osName = thread.osNameAt < 0 ? null : stringAt(thread.osNameAt);
      thread.resolved = true;
    }
    SampleEvent e = event;
    e.wall = d.kind == WALL;
    e.eventType = type.name;
    e.epochNanos = startNanos + (long) ((ticks - startTicks) / ticksPerNano);
    e.stack = stack;
    e.thread = thread;
    e.spanId = spanId;
    e.localRootSpanId = rootId;
    e.weight = Math.max(1, weight);
    e.periodNanos = d.periodNanos;
    e.threadState = state < 0 ? null : threadStates.get(state);
    sink.sample(e);
  }

  /** Names, classes, methods and frame types of a stack's frames, each method resolved once per chunk. */
  private void resolve(Stack stack) {
    long[] ms = stack.methods;
    int n = ms.length;
    String[] names = new String[n];
    if (!frameDetails) {
      for (int i = 0; i < n; i++) names[i] = frameName(ms[i]);
      stack.names = List.of(names);
      return;
    }
    String[] classNames = new String[n], methodsOf = new String[n], kinds = new String[n];
    for (int i = 0; i < n; i++) {
      String[] split = methodName(ms[i]);
      names[i] = split[0];
      classNames[i] = split[1];
      methodsOf[i] = split[2];
      kinds[i] = frameTypeNames.get(stack.frameTypeIds[i]);
    }
    stack.classNames = classNames;
    stack.methodNames = methodsOf;
    stack.frameTypes = kinds;
    stack.names = List.of(names);
  }

  /** {package.Class.method, class, method} of a method id, resolved once per chunk. */
  private String[] methodName(long id) {
    String[] split = methodNames.get(id);
    if (split == null) {
      long[] m = methods.get(id);
      String c = className(m), mn = methodOf(m);
      split = new String[] {c + "." + mn, c, mn};
      methodNames.put(id, split);
    }
    return split;
  }

  /** {@code package.Class.method} of a method id, resolved once per chunk. */
  private String frameName(long id) {
    String name = frameNames.get(id);
    if (name == null) {
      long[] m = methods.get(id);
      frameNames.put(id, name = className(m) + "." + methodOf(m));
    }
    return name;
  }

  /** The dotted class name of a method ({class id, name symbol id}, null unknown); "" unknown. */
  private String className(long[] m) {
    Long cls = m == null ? null : classes.get(m[0]);
    String name = cls == null ? null : symbol(cls);
    return name == null ? "" : name.replace('/', '.');
  }

  /** The name of a method ({class id, name symbol id}, null unknown); "" unknown. */
  private String methodOf(long[] m) {
    String name = m == null ? null : symbol(m[1]);
    return name == null ? "" : name;
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
  public static final class Truncated extends RuntimeException {
    Truncated(String message) {
      super(message + " (truncated?)");
    }
  }
}
